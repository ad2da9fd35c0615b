"""The API's shape and scope, and the records behind a cell (M&E: counts only)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rest_framework.test import APIClient

from keneya.indicators import engine
from keneya.indicators.tests.test_definitions import visit
from keneya.records.models import RecordAccess

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def visits(users: Any, cast: Any) -> None:
    visit(users, cast.child1, date(2026, 3, 5))
    visit(
        users,
        cast.child1,
        date(2026, 3, 6),
        kind="sick_child",
        findings={"diarrhoea": True, "diarrhoea_days": 2},
    )
    visit(users, cast.infant2, date(2026, 3, 7))
    engine.rebuild(first=date(2026, 2, 1), last=date(2026, 4, 30))


def test_the_list_names_every_indicator_with_its_disaggregations(users: Any, visits: Any) -> None:
    response = client_for(users.me).get("/api/v1/indicators/")
    assert response.status_code == 200
    by_code = {row["code"]: row for row in response.json()}
    home = by_code["home_visits"]
    assert home["name"] == "Visites à domicile, par type"
    assert {"health_area", "cscom", "chw", "sex", "age_band", "kind"} <= set(home["disaggregations"])
    assert home["period_types"] == ["month", "quarter", "year"]
    assert by_code["children_0_59m_followed"]["period_types"] == ["month"]


def test_values_rows_have_the_contract_shape(users: Any, visits: Any) -> None:
    response = client_for(users.me).get(
        "/api/v1/indicators/home_visits/values/?period=2026-03&by=health_area"
    )
    assert response.status_code == 200
    rows = response.json()
    assert rows == [
        {
            "period": "2026-03",
            "cell": {"health_area": "AS-HAM"},
            "value": 1.0,
            "numerator": 1.0,
            "denominator": None,
        },
        {
            "period": "2026-03",
            "cell": {"health_area": "AS-LAF"},
            "value": 2.0,
            "numerator": 2.0,
            "denominator": None,
        },
    ]
    by_cscom = (
        client_for(users.me).get("/api/v1/indicators/home_visits/values/?period=2026-03&by=cscom,kind").json()
    )
    assert {"cell": {"cscom": "ASACOLA", "kind": "sick_child"}, "value": 1.0} in [
        {"cell": r["cell"], "value": r["value"]} for r in by_cscom
    ]


def test_a_facility_manager_sees_the_cells_of_their_area_only(users: Any, visits: Any) -> None:
    rows = (
        client_for(users.manager1)
        .get("/api/v1/indicators/home_visits/values/?period=2026-03&by=health_area")
        .json()
    )
    assert [r["cell"] for r in rows] == [{"health_area": "AS-LAF"}]
    total = client_for(users.manager1).get("/api/v1/indicators/home_visits/values/?period=2026-03").json()
    assert total[0]["value"] == 2


def test_a_chw_reads_their_own_cells_and_a_clinician_nothing(users: Any, visits: Any) -> None:
    rows = client_for(users.chw2).get("/api/v1/indicators/home_visits/values/?period=2026-03&by=chw").json()
    assert rows == [
        {
            "period": "2026-03",
            "cell": {"chw": "relais02"},
            "value": 1.0,
            "numerator": 1.0,
            "denominator": None,
        }
    ]
    assert (
        client_for(users.clinician1).get("/api/v1/indicators/home_visits/values/?period=2026-03").status_code
        == 403
    )
    assert (
        client_for(users.chw1)
        .get("/api/v1/indicators/home_visits/values/_/records/?period=2026-03")
        .status_code
        == 403
    )


@pytest.mark.parametrize(
    "query",
    ["period=2026-13", "period=mars", "", "period=2026-03&by=colour", "period=2026-Q1&by=chw,sex"],
)
def test_bad_input_is_a_400_in_french(users: Any, visits: Any, query: str) -> None:
    response = client_for(users.me).get(f"/api/v1/indicators/home_visits/values/?{query}")
    assert response.status_code == 400
    assert response.json()


def test_a_stock_indicator_refuses_a_quarter_and_an_unknown_code_is_404(users: Any, visits: Any) -> None:
    assert (
        client_for(users.me)
        .get("/api/v1/indicators/children_0_59m_followed/values/?period=2026-Q1")
        .status_code
        == 400
    )
    assert client_for(users.me).get("/api/v1/indicators/nope/values/?period=2026-03").status_code == 404


def test_the_me_officer_gets_counts_and_no_names(users: Any, visits: Any) -> None:
    response = client_for(users.me).get(
        "/api/v1/indicators/home_visits/values/health_area=AS-LAF/records/?period=2026-03"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2 and data["names_shown"] is False and data["records"] == []
    assert "Traoré" not in response.content.decode()
    [row] = RecordAccess.objects.filter(action="indicator_records_api")
    assert row.person_id is None


def test_the_facility_manager_sees_the_names_in_their_area(users: Any, cast: Any, visits: Any) -> None:
    response = client_for(users.manager1).get(
        "/api/v1/indicators/home_visits/values/_/records/?period=2026-03"
    )
    data = response.json()
    assert data["count"] == 2 and data["names_shown"] is True
    assert {r["Nom"] for r in data["records"]} == {"Traoré Aminata"}
    assert set(
        RecordAccess.objects.filter(action="indicator_records_api").values_list("person_id", flat=True)
    ) == {cast.child1.pk}
    other = client_for(users.manager1).get(
        "/api/v1/indicators/home_visits/values/health_area=AS-HAM/records/?period=2026-03"
    )
    assert other.status_code == 403


def test_the_records_of_a_cell_are_the_cell(users: Any, visits: Any) -> None:
    """The count behind each cell equals the cell's value (the figures are traceable)."""
    client = client_for(users.me)
    rows = client.get(
        "/api/v1/indicators/sick_children_assessed/values/?period=2026-03&by=classification"
    ).json()
    assert rows
    for row in rows:
        cell = ";".join(f"{k}={v}" for k, v in row["cell"].items())
        records = client.get(
            f"/api/v1/indicators/sick_children_assessed/values/{cell}/records/?period=2026-03"
        ).json()
        assert records["count"] == row["value"]
    share = client.get("/api/v1/indicators/children_u5_visited_share/values/?period=2026-03").json()[0]
    den = client.get(
        "/api/v1/indicators/children_u5_visited_share/values/_/records/?period=2026-03&part=denominator"
    )
    assert den.json()["count"] == share["denominator"] == 2


def test_the_drill_down_page_shows_counts_to_the_me_officer(users: Any, visits: Any, client: Any) -> None:
    client.force_login(users.me)
    page = client.get("/indicateurs/home_visits/enregistrements/?period=2026-03&cell=health_area%3DAS-LAF")
    text = page.content.decode()
    assert page.status_code == 200 and "counts-only" in text and "Traoré" not in text
    client.force_login(users.manager1)
    page = client.get("/indicateurs/home_visits/enregistrements/?period=2026-03&cell=_")
    assert "Traoré Aminata" in page.content.decode()
    assert RecordAccess.objects.filter(action="indicator_records_page", person__isnull=False).exists()
