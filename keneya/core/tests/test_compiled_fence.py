"""The fence around compiled lookups: a key that misses what the SQL depends on is caught."""

from __future__ import annotations

from typing import Any

import pytest

from keneya.core import compiled
from keneya.core.compiled import CompiledGet, CompiledLookupMismatch
from keneya.core.models import Area


def test_the_suite_verifies_every_compiled_lookup() -> None:
    assert compiled.VERIFY is True


@pytest.mark.django_db
def test_a_key_that_forgets_the_scope_is_caught(district: Any) -> None:
    # The "scope" here is a parent area; the key wrongly ignores it, so the statement compiled
    # for one parent would answer for another.
    by_parent = CompiledGet(Area, lambda parent, pk: Area.objects.filter(parent=parent, pk=pk))
    quartier = Area.objects.filter(parent__isnull=False).first()
    assert quartier is not None
    assert by_parent.get("same key", quartier.parent, quartier.pk) == quartier
    other_parent = Area.objects.exclude(pk=quartier.parent_id or quartier.pk).first()
    with pytest.raises(CompiledLookupMismatch):
        by_parent.get("same key", other_parent, quartier.pk)


@pytest.mark.django_db
def test_a_right_key_passes_the_check(district: Any) -> None:
    by_parent = CompiledGet(Area, lambda parent, pk: Area.objects.filter(parent=parent, pk=pk))
    quartier = Area.objects.filter(parent__isnull=False).first()
    assert quartier is not None
    other_parent = Area.objects.exclude(pk=quartier.parent_id or quartier.pk).first()
    assert by_parent.get(quartier.parent_id, quartier.parent, quartier.pk) == quartier
    with pytest.raises(Area.DoesNotExist):
        by_parent.get(getattr(other_parent, "pk", None), other_parent, quartier.pk)
