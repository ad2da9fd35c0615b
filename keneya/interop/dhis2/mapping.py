"""From the month's indicator values to DHIS2 data values, through the configured mapping.

Every row the ``month_values`` hook gives ends up in exactly one of two lists: a data value
(with its indicator, cell and facility kept beside the DHIS2 identifiers) or an unmapped cell
with the reason, shown on the page. Nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from keneya.core.models import Facility
from keneya.interop.dhis2.hooks import collect_month_values
from keneya.interop.dhis2.models import OrgUnit, ValueMapping

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
ID_SCHEMES = ("UID", "CODE")


def parse_period(period: str) -> tuple[int, int]:
    """``"2026-03"`` → ``(2026, 3)``; a French ValidationError otherwise."""
    match = _PERIOD.match(str(period or ""))
    if not match:
        raise ValidationError({"period": _("Mois invalide : attendu AAAA-MM (par exemple 2026-03).")})
    return int(match.group(1)), int(match.group(2))


def dhis2_period(period: str) -> str:
    """A month in DHIS2's ISO period format: ``"2026-03"`` → ``"202603"``."""
    year, month = parse_period(period)
    return f"{year:04d}{month:02d}"


def cell_key(cell: dict[str, Any] | None) -> str:
    """A cell's disaggregation as ``key=value;key=value`` in key order; ``""`` for the total."""
    if not cell:
        return ""
    return ";".join(f"{key}={cell[key]}" for key in sorted(cell))


def format_value(value: Any) -> str | None:
    """DHIS2 takes values as strings: integers without a decimal point, others to 4 decimals."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    if not number.is_finite():
        return None
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.quantize(Decimal("0.0001")).normalize(), "f")


def id_scheme() -> str:
    scheme = str(getattr(settings, "DHIS2_ID_SCHEME", "UID") or "UID").upper()
    return scheme if scheme in ID_SCHEMES else "UID"


@dataclass
class Prepared:
    """A month's values, mapped: what would be sent and what cannot be."""

    period: str
    values: list[dict[str, Any]] = field(default_factory=list)
    unmapped: list[dict[str, Any]] = field(default_factory=list)
    data_set_uid: str = ""
    data_set_code: str = ""

    def payload(self, scheme: str = "UID") -> dict[str, Any]:
        """The ``dataValueSets`` JSON body (identifiers in ``scheme``)."""
        key = "code" if scheme == "CODE" else "uid"
        body: dict[str, Any] = {}
        if self.data_set_uid:
            body["dataSet"] = self.data_set_uid if key == "uid" else self.data_set_code
        body["period"] = dhis2_period(self.period)
        body["dataValues"] = [
            {
                "dataElement": row["data_element"][key],
                "period": dhis2_period(self.period),
                "orgUnit": row["org_unit"][key],
                **(
                    {"categoryOptionCombo": row["category_option_combo"][key]}
                    if row["category_option_combo"]
                    else {}
                ),
                "value": row["value"],
            }
            for row in self.values
        ]
        return body

    def values_hash(self) -> str:
        """Same values, same hash: a real push must follow a dry-run of exactly these values."""
        text = json.dumps(
            {"period": self.period, "values": self.values, "data_set": self.data_set_uid},
            sort_keys=True,
            ensure_ascii=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()


def _ref(obj: Any) -> dict[str, str]:
    return {"uid": obj.uid, "code": obj.code, "name": obj.name}


def prepare(period: str, rows: list[dict[str, Any]] | None = None) -> Prepared:
    """Map ``rows`` (default: the ``month_values`` hook's for ``period``) to data values."""
    parse_period(period)
    if rows is None:
        rows = collect_month_values(period)
    scheme = id_scheme()
    mappings = {
        (m.indicator, m.cell): m
        for m in ValueMapping.objects.select_related("data_element__data_set", "category_option_combo")
    }
    facilities = dict(Facility.objects.values_list("code", "pk"))
    org_units = {ou.facility_id: ou for ou in OrgUnit.objects.filter(facility__isnull=False)}
    prepared = Prepared(period=period)
    destinations: set[tuple[str, str, str]] = set()
    data_sets: set[tuple[str, str]] = set()
    ordered = sorted(
        rows,
        key=lambda r: (str(r.get("indicator", "")), str(r.get("facility", "")), cell_key(r.get("cell"))),
    )
    for row in ordered:
        cell = dict(row.get("cell") or {})
        base: dict[str, Any] = {
            "indicator": str(row.get("indicator", "")),
            "indicator_name": str(row.get("indicator_name", "")),
            "facility": str(row.get("facility", "")),
            "cell": cell,
            "cell_key": cell_key(cell),
        }
        value = format_value(row.get("value"))
        raw_value = row.get("value")

        def unmapped(reason: str, base: dict[str, Any] = base, raw: Any = raw_value) -> None:
            prepared.unmapped.append({**base, "value": raw, "reason": reason})

        if row.get("period") not in (None, period):
            unmapped(_("Valeur d'un autre mois (%(period)s).") % {"period": row.get("period")})
            continue
        if value is None:
            unmapped(_("Valeur manquante ou non numérique."))
            continue
        indicator, facility_code = str(base["indicator"]), str(base["facility"])
        mapping = mappings.get((indicator, str(base["cell_key"])))
        if mapping is None:
            unmapped(_("Aucune correspondance DHIS2 pour cette cellule."))
            continue
        facility_id = facilities.get(facility_code)
        if facility_id is None:
            unmapped(_("Structure inconnue de Kènèya."))
            continue
        org_unit = org_units.get(facility_id)
        if org_unit is None:
            unmapped(_("Structure sans unité d'organisation DHIS2."))
            continue
        element, combo = mapping.data_element, mapping.category_option_combo
        if scheme == "CODE" and not (element.code and org_unit.code and (combo is None or combo.code)):
            unmapped(_("Identifiant par code demandé mais un code DHIS2 manque."))
            continue
        destination = (element.uid, combo.uid if combo else "", org_unit.uid)
        if destination in destinations:
            unmapped(_("Même destination DHIS2 qu'une autre cellule : une seule serait gardée."))
            continue
        destinations.add(destination)
        if element.data_set is not None:
            data_sets.add((element.data_set.uid, element.data_set.code))
        else:
            data_sets.add(("", ""))
        prepared.values.append(
            {
                **base,
                "value": value,
                "data_element": _ref(element),
                "category_option_combo": _ref(combo) if combo else None,
                "org_unit": _ref(org_unit),
            }
        )
    if len(data_sets) == 1:
        prepared.data_set_uid, prepared.data_set_code = next(iter(data_sets))
    return prepared


SOURCE_KEYS = ("indicator", "indicator_name", "facility", "cell", "value")


def sources(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a push keeps of each value: its source (the DHIS2 identifiers are in the payload)."""
    return [{key: row[key] for key in SOURCE_KEYS} for row in values]


def object_index(data_values: list[dict[str, Any]]) -> dict[str, tuple[str, list[int]]]:
    """For servers that name a conflict's object without indexes: identifier → (property, positions)
    in the ``dataValues`` sent."""
    found: dict[str, tuple[str, list[int]]] = {}
    for position, data_value in enumerate(data_values):
        for prop in ("dataElement", "orgUnit", "categoryOptionCombo"):
            ident = data_value.get(prop)
            if ident:
                found.setdefault(str(ident), (prop, []))[1].append(position)
    return found
