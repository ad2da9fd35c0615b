"""The demo's DHIS2 mapping: a demonstration data set whose objects mirror the indicators.

There is no DHIS2 behind the demo (``DHIS2_URL`` empty: the pages say so and offer neither
dry-run nor push). So that the month page shows the values mapped, the demo writes the mapping
a real instance's metadata would give: an org unit per demo facility, a data set, one data
element per indicator and one category option combo per disaggregation cell of last month's
values (``interop.dhis2.hooks.month_values``). Identifiers are derived from the codes, so the
same demo gives the same UIDs; every code starts with ``KDEMO`` (how ``delete_dhis2`` finds them).
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from keneya.core.models import Facility
from keneya.demo import district
from keneya.interop.dhis2.hooks import collect_month_values
from keneya.interop.dhis2.mapping import cell_key
from keneya.interop.dhis2.models import (
    CategoryOptionCombo,
    DataElement,
    DataSet,
    OrgUnit,
    Push,
    PushConflict,
    ValueMapping,
)
from keneya.interop.dhis2.queries import cell_label, previous_month

PREFIX = "KDEMO"


def _uid(kind: str, text: str) -> str:
    """A DHIS2-shaped identifier (11 characters, a letter first) derived from ``text``."""
    return kind + hashlib.sha256(text.encode()).hexdigest()[: 11 - len(kind)]


def seed_dhis2(*, seed: int | str, today: date) -> dict[str, int]:
    """Write the demonstration mapping for last month's indicator cells; counts."""
    del seed  # deterministic from the codes alone
    rows = collect_month_values(previous_month(today))
    data_set, _ = DataSet.objects.get_or_create(
        uid=_uid("ds", PREFIX),
        defaults={
            "code": f"{PREFIX}_MENSUEL",
            "name": "Démo : rapport mensuel Kènèya",
            "period_type": "Monthly",
        },
    )
    org_units = 0
    for facility in Facility.objects.filter(
        code__in=district.DEMO_FACILITY_CODES, dhis2_org_unit__isnull=True
    ):
        OrgUnit.objects.get_or_create(
            uid=_uid("ou", facility.code),
            defaults={"code": f"{PREFIX}_{facility.code}", "name": facility.name, "facility": facility},
        )
        org_units += 1
    elements: dict[str, DataElement] = {}
    combos: dict[tuple[str, str], CategoryOptionCombo | None] = {}
    for row in rows:
        code = str(row.get("indicator", ""))
        if code and code not in elements:
            elements[code] = DataElement(
                uid=_uid("de", code),
                code=f"{PREFIX}_{code}"[:100],
                name=f"Démo : {row.get('indicator_name') or code}"[:230],
                value_type="NUMBER",
                category_combo_uid=_uid("cc", code),
                data_set=data_set,
            )
        key = cell_key(row.get("cell"))
        if code and (code, key) not in combos:
            combos[(code, key)] = (
                CategoryOptionCombo(
                    uid=_uid("co", f"{code}|{key}"),
                    code=f"{PREFIX}_{code}_{key}"[:100],
                    name=cell_label(row.get("cell") or {})[:230],
                    category_combo_uid=_uid("cc", code),
                )
                if key
                else None
            )
    DataElement.objects.bulk_create(elements.values(), ignore_conflicts=True)
    CategoryOptionCombo.objects.bulk_create([c for c in combos.values() if c], ignore_conflicts=True)
    stored_elements = {e.uid: e for e in DataElement.objects.filter(code__startswith=PREFIX)}
    stored_combos = {c.uid: c for c in CategoryOptionCombo.objects.filter(code__startswith=PREFIX)}
    mappings = [
        ValueMapping(
            indicator=code,
            cell=key,
            data_element=stored_elements[elements[code].uid],
            category_option_combo=stored_combos[combo.uid] if combo else None,
        )
        for (code, key), combo in combos.items()
        if len(key) <= 255  # noqa: PLR2004 (the field's length)
    ]
    ValueMapping.objects.bulk_create(mappings, ignore_conflicts=True)
    return {"org_units": org_units, "data_elements": len(elements), "mappings": len(mappings)}


def delete_dhis2(*, user_ids: Any) -> dict[str, int]:
    """Remove the demo's pushes (they point at its users) and its demonstration mapping."""
    pushes = Push.objects.filter(requested_by_id__in=user_ids)
    PushConflict.objects.filter(push__in=pushes).delete()
    counts = {"dhis2_pushes": pushes.delete()[0]}
    ValueMapping.objects.filter(data_element__code__startswith=PREFIX).delete()
    CategoryOptionCombo.objects.filter(code__startswith=PREFIX).delete()
    DataElement.objects.filter(code__startswith=PREFIX).delete()
    DataSet.objects.filter(code__startswith=PREFIX).delete()
    # Org units of the demo facilities (raw-deleted by delete_demo: no SET_NULL runs there).
    OrgUnit.objects.filter(facility__code__in=district.DEMO_FACILITY_CODES).delete()
    OrgUnit.objects.filter(code__startswith=PREFIX).delete()
    return counts
