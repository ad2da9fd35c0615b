"""Import the mapping's DHIS2 objects from the instance's metadata (``GET /api/metadata`` JSON).

Reads ``organisationUnits``, ``dataSets`` (with their ``dataSetElements``), ``dataElements``
(with ``categoryCombo``) and ``categoryOptionCombos``; creates or updates one row per UID.
An org unit whose ``code`` equals a Kènèya facility's code is linked to it when neither is
linked yet; other links, and every ``ValueMapping``, are set in the admin. Importing twice
changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from keneya.core.models import Facility
from keneya.interop.dhis2 import client
from keneya.interop.dhis2.models import CategoryOptionCombo, DataElement, DataSet, OrgUnit


def _name(obj: dict[str, Any]) -> str:
    return str(obj.get("name") or obj.get("displayName") or obj.get("id"))[:230]


def _ref_id(value: Any) -> str:
    return str(value.get("id") or "") if isinstance(value, dict) else ""


def _upsert(model: Any, obj: dict[str, Any], extra: dict[str, Any], counts: dict[str, int], key: str) -> Any:
    uid = str(obj.get("id") or "")
    if not uid or len(uid) > 11:  # noqa: PLR2004 (DHIS2 UIDs are 11 characters)
        counts["skipped"] += 1
        return None
    defaults = {"code": str(obj.get("code") or "")[:100], "name": _name(obj), **extra}
    row, created = model.objects.update_or_create(uid=uid, defaults=defaults)
    counts[key] += 1 if created else 0
    counts[f"{key}_updated"] += 0 if created else 1
    return row


@transaction.atomic
def import_metadata(data: dict[str, Any]) -> dict[str, int]:
    """Create or update the DHIS2 objects in ``data``; counts per kind."""
    if not isinstance(data, dict):
        raise ValidationError("Le fichier de métadonnées DHIS2 doit être un objet JSON.")
    counts: dict[str, int] = {
        key: 0
        for key in (
            "data_sets",
            "data_sets_updated",
            "data_elements",
            "data_elements_updated",
            "category_option_combos",
            "category_option_combos_updated",
            "org_units",
            "org_units_updated",
            "facilities_linked",
            "skipped",
        )
    }
    element_data_set: dict[str, DataSet] = {}
    for obj in data.get("dataSets") or []:
        data_set = _upsert(
            DataSet, obj, {"period_type": str(obj.get("periodType") or "")[:30]}, counts, "data_sets"
        )
        if data_set is None:
            continue
        members = [_ref_id(e.get("dataElement")) for e in obj.get("dataSetElements") or []]
        members += [_ref_id(e) for e in obj.get("dataElements") or []]
        for uid in members:
            if uid:
                element_data_set.setdefault(uid, data_set)
    for obj in data.get("dataElements") or []:
        _upsert(
            DataElement,
            obj,
            {
                "value_type": str(obj.get("valueType") or "")[:40],
                "category_combo_uid": _ref_id(obj.get("categoryCombo"))[:11],
                "data_set": element_data_set.get(str(obj.get("id") or "")),
            },
            counts,
            "data_elements",
        )
    for obj in data.get("categoryOptionCombos") or []:
        _upsert(
            CategoryOptionCombo,
            obj,
            {"category_combo_uid": _ref_id(obj.get("categoryCombo"))[:11]},
            counts,
            "category_option_combos",
        )
    facilities = {f.code: f for f in Facility.objects.filter(dhis2_org_unit__isnull=True)}
    for obj in data.get("organisationUnits") or []:
        org_unit = _upsert(OrgUnit, obj, {}, counts, "org_units")
        if org_unit is None or org_unit.facility_id is not None:
            continue
        facility = facilities.pop(org_unit.code, None) if org_unit.code else None
        if facility is not None:
            org_unit.facility = facility
            org_unit.save(update_fields=["facility"])
            counts["facilities_linked"] += 1
    return counts


def load_source(source: str | None) -> dict[str, Any]:
    """The metadata JSON from a file, from a URL on the configured server, or (None) from the server."""
    if not source:
        with client.Connection.from_settings() as connection:
            return connection.metadata()
    if source.startswith(("http://", "https://")):
        base = client.server_url()
        # The credentials go to the configured server only, never to another host.
        if not base or not source.startswith(base + "/"):
            raise ValidationError("L'adresse doit être sur le serveur DHIS2 configuré (DHIS2_URL).")
        with client.Connection.from_settings() as connection:
            return connection._call("GET", source)
    return json.loads(Path(source).read_text(encoding="utf-8"))
