"""The exported tablet vectors must be exactly what the engine computes today."""

import pytest

from keneya.clinical.vectors.export import VECTORS_DIR, render, vector_modules


@pytest.mark.parametrize("name", vector_modules())
def test_exported_vectors_match_the_engine(name):
    path = VECTORS_DIR / f"{name}.json"
    assert path.exists(), f"run python -m keneya.clinical.vectors.export ({path} missing)"
    assert path.read_text(encoding="utf-8") == render(name), (
        f"{path.name} is stale: run python -m keneya.clinical.vectors.export"
    )
