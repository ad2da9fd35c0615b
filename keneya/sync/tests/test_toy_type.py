"""A new syncable type plugs in without touching keneya/sync: a toy app (``toyapp``) declares
water points in its own ``sync.py``; they go through push and pull, are refused alone when
bad, follow their household from tablet to tablet, and show in the OpenAPI choices."""

import importlib
import sys
import uuid
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import modify_settings

from keneya.people.services import reassign_household
from keneya.sync import registry, services
from keneya.sync.tests.factories import batch, tablet

TOY_APP = "keneya.sync.tests.toyapp"
TOY_LABEL = "sync_toyapp"


@pytest.fixture
def toy_app(db):
    """The toy app installed (its sync module registered by the registry's autodiscovery) and
    its table created, for this test only."""
    with modify_settings(INSTALLED_APPS={"append": TOY_APP}):
        if "water_point" not in registry.SYNC_TYPES:  # imported by an earlier test: declare again
            importlib.reload(sys.modules[f"{TOY_APP}.sync"])
        model: Any = apps.get_model(f"{TOY_LABEL}.WaterPoint")
        with connection.schema_editor(atomic=False) as editor:
            editor.create_model(model)
        try:
            yield model
        finally:
            with connection.schema_editor(atomic=False) as editor:
                editor.delete_model(model)
            registry.unregister("water_point")


def water_point(household_id, **fields):
    return {
        "type": "water_point",
        "id": str(uuid.uuid4()),
        "op": "create",
        "fields": {"household": str(household_id), "kind": "well", "working": True, **fields},
    }


def pull_all(device, cursor=None):
    changes = []
    while True:
        page = services.pull(device=device, cursor=cursor)
        changes += page["changes"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return changes, cursor


@pytest.mark.django_db(transaction=True)
def test_a_toy_type_declared_by_its_app_syncs_through_push_and_pull(toy_app, users, household_factory):
    assert "water_point" in registry.SYNC_TYPES
    household = household_factory(users.chw1)
    device, _token = tablet(users.chw1)
    _changes, cursor = pull_all(device)

    good, bad = water_point(household.pk), water_point(household.pk, kind="lac")
    body = batch(good, bad, water_point(household.pk, working="oui"))
    results = services.push(device=device, batch=body)["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected"]
    assert results[1]["errors"] == {"kind": ["Type de point d'eau inconnu."]}
    assert "working" in results[2]["errors"]
    assert toy_app.objects.filter(pk=good["id"]).exists() and toy_app.objects.count() == 1
    assert services.push(device=device, batch=body) == services.push(device=device, batch=body)
    again = services.push(device=device, batch=batch(good))["results"]
    assert again[0]["status"] == "duplicate"

    # Pulled back by another tablet of the CHW, after its household.
    other, _ = tablet(users.chw1, "Tablette B")
    changes, _ = pull_all(other)
    assert [c["type"] for c in changes][-1] == "water_point"
    [point] = [c for c in changes if c["type"] == "water_point"]
    assert point["op"] == "upsert" and point["data"] == {
        "kind": "well",
        "working": True,
        "household": str(household.pk),
    }
    assert point["version"] == results[0]["version"]

    # It follows its household when the household leaves the CHW: a tombstone for the tablet.
    reassign_household(by=users.admin, household=household, chw=None)
    changes, _ = pull_all(device, cursor)
    assert {(c["type"], c["op"]) for c in changes if c["id"] == good["id"]} == {("water_point", "delete")}


@pytest.mark.django_db(transaction=True)
def test_a_toy_type_id_taken_in_another_zone_is_refused(toy_app, users, district, household_factory):
    from keneya.sync.tests.toyapp.sync import record_water_point

    theirs = household_factory(users.chw2, quartier=district.q2a)
    point = record_water_point(by=users.chw2, id=uuid.uuid4(), household=theirs, kind="tap", working=True)
    mine = household_factory(users.chw1)
    device, _token = tablet(users.chw1)
    record = {**water_point(mine.pk), "id": str(point.pk)}
    [result] = services.push(device=device, batch=batch(record))["results"]
    assert result["reason"] == "id_taken"
