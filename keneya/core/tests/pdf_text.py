"""Read a PDF's text in tests (poppler's pdftotext; scripts/test.sh installs poppler-utils)."""

from __future__ import annotations

import shutil
import subprocess


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF"), "not a PDF"
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is missing: apt-get install poppler-utils (scripts/test.sh does)"
    result = subprocess.run(
        [tool, "-layout", "-", "-"], input=data, capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode("utf-8")
