"""Export the tablet-parity test vectors to ``keneya/clinical/vectors/*.json``.

Each ``keneya.clinical.vectors.<name>`` module exposes ``generate() -> dict`` returning one
JSON document ``{"function": ..., "engine_version": ..., "cases": [{"input": ..., "expected": ...}]}``.
The tablet's JavaScript runs every case; ``test_vectors_up_to_date`` checks the files match the
engine. Run ``python -m keneya.clinical.vectors.export`` after changing a rule.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path

import keneya.clinical.vectors as vectors_pkg

VECTORS_DIR = Path(__file__).resolve().parent


def vector_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(vectors_pkg.__path__) if m.name != "export")


def render(name: str) -> str:
    module = importlib.import_module(f"keneya.clinical.vectors.{name}")
    document = module.generate()
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def export(directory: Path = VECTORS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in vector_modules():
        path = directory / f"{name}.json"
        path.write_text(render(name), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in export():
        sys.stdout.write(f"{p}\n")
