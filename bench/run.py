"""`make bench`: run every bench/bench_*.py and write the results to docs/benchmarks.md.

Each module exposes ``run() -> str`` returning one Markdown section. Benchmarks measure speed on
generated data at the sizes the issues name; tests check correctness, never timings.
Run one with ``python -m bench.run growth`` (names without the ``bench_`` prefix).
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import pkgutil
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "benchmarks.md"
MARK = "<!-- section:{} -->"


def available() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )


def machine() -> str:
    return (
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}"
    )


def _split(text: str) -> dict[str, str]:
    sections: dict[str, str] = {}
    for name in available():
        start = text.find(MARK.format(name))
        if start < 0:
            continue
        end = text.find("<!-- section:", start + 1)
        sections[name] = text[start : end if end >= 0 else len(text)].rstrip() + "\n"
    return sections


def main(names: list[str]) -> int:
    names = names or available()
    previous = _split(OUT.read_text(encoding="utf-8")) if OUT.exists() else {}
    for name in names:
        sys.stderr.write(f"==> bench {name}\n")
        module = importlib.import_module(f"bench.bench_{name}")
        started = time.perf_counter()
        body = module.run().strip()
        took = time.perf_counter() - started
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        previous[name] = (
            f"{MARK.format(name)}\n{body}\n\n_Measured {stamp} on {machine()}; the run took {took:.0f} s._\n"
        )
    header = (
        "# Benchmarks\n\n"
        "Written by `make bench` (`python -m bench.run`). Each section is replaced when its "
        "benchmark runs again. Numbers are from this project's 2-core machine; the targets come "
        "from the issues.\n\n"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(header + "\n".join(previous[k] for k in sorted(previous)), encoding="utf-8")
    sys.stderr.write(f"==> {OUT}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
