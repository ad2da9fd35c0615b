"""The month's values mapped to DHIS2 data values: periods, combos, identifiers, unmapped cells."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from keneya.interop.dhis2 import mapping
from keneya.interop.dhis2.tests import fake_server as fk
from keneya.interop.dhis2.tests.conftest import PERIOD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("period", "expected"), [("2026-03", "202603"), ("2025-12", "202512"), ("2026-01", "202601")]
)
def test_a_month_is_sent_as_dhis2_yyyymm(period, expected):
    assert mapping.dhis2_period(period) == expected


@pytest.mark.parametrize("period", ["2026-13", "2026-3", "202603", "", "2026-00", "mars"])
def test_a_malformed_month_is_refused_in_french(period):
    with pytest.raises(ValidationError, match="Mois invalide"):
        mapping.parse_period(period)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12, "12"),
        (5.0, "5"),
        (0, "0"),
        (2.5, "2.5"),
        (1 / 3, "0.3333"),
        (True, None),
        (None, None),
        ("x", None),
        (float("nan"), None),
    ],
)
def test_values_are_dhis2_strings(value, text):
    assert mapping.format_value(value) == text


def test_cell_keys_are_sorted_and_the_total_is_empty():
    assert mapping.cell_key({"sex": "F", "age_band": "0-11m"}) == "age_band=0-11m;sex=F"
    assert mapping.cell_key({}) == ""


def test_mapped_cells_become_data_values_with_their_combo_and_org_unit(mapped, month_values):
    prepared = mapping.prepare(PERIOD)
    body = prepared.payload()

    assert body["dataSet"] == fk.DATA_SET
    assert body["period"] == "202603"
    assert {
        (v["dataElement"], v["orgUnit"], v.get("categoryOptionCombo"), v["value"]) for v in body["dataValues"]
    } == {
        (fk.DE_VISITS, fk.OU_ASACOLA, fk.COC_FEMALE, "12"),
        (fk.DE_VISITS, fk.OU_ASACOLA, fk.COC_MALE, "10"),
        (fk.DE_VISITS, fk.OU_ASACOHAM, fk.COC_FEMALE, "7"),
        (fk.DE_VISITS, fk.OU_ASACOHAM, fk.COC_MALE, "5"),
        (fk.DE_CHILDREN, fk.OU_ASACOLA, None, "40"),  # no combo: DHIS2's default
    }
    assert all(v["period"] == "202603" for v in body["dataValues"])
    # Each data value keeps its source beside it.
    first = prepared.values[0]
    assert {"indicator", "indicator_name", "facility", "cell"} <= set(first)


def test_every_unmapped_cell_is_listed_with_its_reason(mapped, month_values):
    prepared = mapping.prepare(PERIOD)

    reasons = {(u["indicator"], u["facility"], u["cell_key"]): u["reason"] for u in prepared.unmapped}
    assert reasons == {
        ("home_visits", "ASACOLA", "age_band=0-11m;sex=F"): "Aucune correspondance DHIS2 pour cette cellule.",
        ("children_followed", "CSREF4", ""): "Structure sans unité d'organisation DHIS2.",
    }
    # Nothing is dropped: every row is either sent or listed.
    assert len(prepared.values) + len(prepared.unmapped) == len(month_values.rows)


def test_unknown_facility_missing_value_and_duplicate_destination_are_listed(mapped, month_values):
    row = dict(month_values.rows[0])
    month_values.rows += [
        {**row, "facility": "NOWHERE"},
        {**row, "value": None},
        {**row},  # the same cell twice: DHIS2 would keep only one
    ]
    reasons = {u["reason"] for u in mapping.prepare(PERIOD).unmapped}

    assert "Structure inconnue de Kènèya." in reasons
    assert "Valeur manquante ou non numérique." in reasons
    assert "Même destination DHIS2 qu'une autre cellule : une seule serait gardée." in reasons


def test_the_code_scheme_sends_codes(settings, mapped, month_values):
    settings.DHIS2_ID_SCHEME = "CODE"
    body = mapping.prepare(PERIOD).payload("CODE")

    assert body["dataSet"] == "SNIS_CSCOM_MENSUEL"
    assert ("VAD", "ASACOLA", "F", "12") in {
        (v["dataElement"], v["orgUnit"], v.get("categoryOptionCombo"), v["value"]) for v in body["dataValues"]
    }


def test_the_hook_results_of_several_receivers_are_flattened(month_values):
    from keneya.interop.dhis2 import hooks

    def extra(period):
        return [{"indicator": "x", "period": period, "facility": "ASACOLA", "cell": {}, "value": 1}]

    hooks.month_values.register(extra)
    try:
        rows = hooks.collect_month_values(PERIOD)
    finally:
        hooks.month_values._receivers.remove(extra)
    assert len(rows) == len(month_values.rows) + 1


def test_same_values_same_hash_and_a_change_changes_it(mapped, month_values):
    first = mapping.prepare(PERIOD).values_hash()
    assert mapping.prepare(PERIOD).values_hash() == first
    month_values.rows[0]["value"] = 13
    assert mapping.prepare(PERIOD).values_hash() != first
