"""The tablet's JavaScript engine gives the server's answers on every vector (issue #5).

Writes ``engine_bundle()`` to a file and runs node's test runner on ``tests/js/`` with
``KENEYA_ENGINE_BUNDLE`` pointing at it; ``tests/js/engine.test.mjs`` replays every case of
``keneya/clinical/vectors/*.json`` through ``keneya/pwa/static/pwa/engine/``. The test files are
named one by one (node 18 and 20 search a directory, node >= 21 takes only files or globs).
Needs node >= 18 (``apt-get install -y nodejs``; scripts/test.sh installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from keneya.clinical.bundle import render

ROOT = Path(__file__).resolve().parents[3]
JS_TESTS = ROOT / "tests" / "js"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        message = (
            "node is not installed, so the tablet engine parity tests (tests/js/) cannot "
            "run: apt-get install -y nodejs"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return node


def test_javascript_engine_passes_every_vector(tmp_path):
    node = _node()
    bundle = tmp_path / "engine-bundle.json"
    bundle.write_text(render(), encoding="utf-8")
    files = sorted(str(p.relative_to(ROOT)) for p in JS_TESTS.glob("*.test.mjs"))
    assert "tests/js/engine.test.mjs" in files
    proc = subprocess.run(
        [node, "--test", "--test-reporter=tap", *files],
        cwd=ROOT,
        env={**os.environ, "KENEYA_ENGINE_BUNDLE": str(bundle)},
        capture_output=True,
        text=True,
        timeout=1800,  # a hang guard only, far above any loaded machine
        check=False,
    )
    output = f"{proc.stdout}\n{proc.stderr}"
    assert proc.returncode == 0, f"node --test failed (exit {proc.returncode}):\n{output[-8000:]}"
    passed = re.search(r"^# pass (\d+)\s*$", proc.stdout, re.MULTILINE)
    failed = re.search(r"^# fail (\d+)\s*$", proc.stdout, re.MULTILINE)
    assert passed and failed, f"no summary line in node's output:\n{output[-4000:]}"
    assert int(passed.group(1)) > 0, output[-4000:]
    assert int(failed.group(1)) == 0, output[-8000:]
