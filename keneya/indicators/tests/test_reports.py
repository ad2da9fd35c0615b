"""The monthly report files (they open; their figures are the API's), the background export,
the targets, the completeness check and the DHIS2 month values."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from keneya.core.tests.pdf_text import pdf_text
from keneya.indicators import checks, dhis2, engine, registry, reports, targets
from keneya.indicators.models import ExportStatus, ReportExport
from keneya.indicators.tests.test_definitions import value, visit

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MARCH = registry.parse_period("2026-03")


@pytest.fixture
def visits(users: Any, cast: Any) -> None:
    visit(users, cast.child1, date(2026, 3, 5))
    visit(users, cast.child1, date(2026, 3, 9))
    visit(users, cast.infant2, date(2026, 3, 7))
    visit(users, cast.infant2, date(2026, 2, 7))
    visit(users, cast.older2, date(2026, 2, 8), kind="older_child_followup")
    engine.rebuild(first=date(2026, 2, 1), last=date(2026, 4, 30))


def test_the_workbook_has_a_sheet_per_section_and_the_apis_figures(users: Any, visits: Any) -> None:
    data = reports.report_data(user=users.me, period=MARCH)
    book = load_workbook(io.BytesIO(reports.render_workbook(data)))
    assert book.sheetnames[0] == "Résumé"
    assert {"Visites à domicile", "Population suivie"} <= set(book.sheetnames)
    summary = {row[1]: row for row in book["Résumé"].iter_rows(min_row=6, values_only=True) if row[1]}
    assert summary["home_visits"][4] == value(users.me, "home_visits")[0]["value"] == 3
    share = value(users.me, "children_u5_visited_share")[0]
    assert summary["children_u5_visited_share"][4] == pytest.approx(share["value"])
    sheet = [r for r in book["Visites à domicile"].iter_rows(min_row=2, values_only=True)]
    by_area = {r[3]: r[4] for r in sheet if r[0] == "home_visits" and r[2] == "Aire de santé"}
    assert by_area == {"Aire de Lafiabougou": 2, "Aire de Hamdallaye": 1}


def test_the_pdf_opens_and_shows_the_figures(users: Any, visits: Any) -> None:
    data = reports.report_data(user=users.me, period=MARCH)
    text = pdf_text(reports.render_pdf(data))
    assert "Rapport mensuel du programme" in text and "mars 2026" in text
    assert "Visites à domicile, par type" in text
    row = next(line for line in text.splitlines() if "Visites à domicile, par type" in line)
    assert " 3 " in f" {row} "


def test_a_cscom_report_keeps_to_its_area(users: Any, visits: Any, district: Any) -> None:
    data = reports.report_data(user=users.manager1, period=MARCH, facility=district.cscom1)
    home = next(i for s in data["sections"] for i in s["indicators"] if i["code"] == "home_visits")
    assert home["total"]["value"] == 2


def test_a_report_is_generated_in_the_background_then_offered(
    users: Any, visits: Any, client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = IMMEDIATE
    client.force_login(users.me)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/indicateurs/rapports/", {"period": "2026-03", "facility": "", "format": "xlsx"}
        )
    export = ReportExport.objects.get()
    assert response.status_code == 302 and str(export.pk) in response["Location"]
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.progress == 100
    page = client.get(f"/indicateurs/rapports/{export.pk}/")
    assert "Le rapport est prêt" in page.content.decode()
    download = client.get(f"/indicateurs/rapports/{export.pk}/fichier/")
    assert download.status_code == 200 and download["Content-Disposition"].endswith('programme-2026-03.xlsx"')
    load_workbook(io.BytesIO(download.content))
    # Another user's export is not theirs to read.
    client.force_login(users.admin)
    assert client.get(f"/indicateurs/rapports/{export.pk}/fichier/").status_code == 404


def test_a_facility_manager_cannot_ask_for_the_programme_report(users: Any, visits: Any, client: Any) -> None:
    client.force_login(users.manager1)
    response = client.post(
        "/indicateurs/rapports/", {"period": "2026-03", "facility": "ASACOHAM", "format": "pdf"}
    )
    assert response.status_code == 403
    assert not ReportExport.objects.exists()


def test_targets_show_the_chw_progress(users: Any, visits: Any) -> None:
    targets.set_target(by=users.me, indicator="home_visits", period="2026-03", value=4, chw=users.chw1)
    [row] = targets.progress(user=users.chw1, period=MARCH)
    assert (row["target"], row["achieved"], row["percent"]) == (4, 2, 50)
    assert targets.progress(user=users.chw2, period=MARCH) == []
    assert [r["chw"] for r in targets.progress(user=users.manager1, period=MARCH)] == ["relais01"]
    with pytest.raises(Exception, match="relais"):
        targets.set_target(
            by=users.me, indicator="home_visits", period="2026-03", value=4, chw=users.clinician1
        )
    with pytest.raises(PermissionDenied):
        targets.set_target(
            by=users.manager1, indicator="home_visits", period="2026-03", value=4, chw=users.chw1
        )


def test_the_tablet_pulls_the_chw_targets_of_the_month(users: Any, visits: Any) -> None:
    from keneya.sync.registry import PULL_EXTRAS

    targets.set_target(by=users.me, indicator="home_visits", period="2026-04", value=10, chw=users.chw1)
    pulled = PULL_EXTRAS["targets"](users.chw1)
    assert pulled["period"] == "2026-04" and pulled["targets"][0]["target"] == 10


def test_the_completeness_check_flags_drops_and_unsynced_chws(users: Any, visits: Any) -> None:
    flagged = checks.improbable_cells(user=users.me, period=MARCH)
    assert not any(r["indicator"] == "home_visits" for r in flagged)
    april = checks.improbable_cells(user=users.me, period=registry.parse_period("2026-04"))
    assert {(r["indicator"], r["health_area"], r["problem"]) for r in april} >= {
        ("home_visits", "AS-LAF", "vide"),
        ("home_visits", "AS-HAM", "vide"),
    }
    [unsynced] = checks.registered_checks(user=users.me, period=MARCH)
    assert {r["Identifiant"] for r in unsynced["rows"]} == {"relais01", "relais02"}


def test_dhis2_month_values_per_cscom(users: Any, visits: Any) -> None:
    from keneya.interop.dhis2.hooks import month_values

    rows = [row for result in month_values("2026-03") for row in result]
    home = [r for r in rows if r["indicator"] == "home_visits"]
    assert {(r["facility"], r["cell"]["kind"], r["value"]) for r in home} == {
        ("ASACOLA", "child_followup", 2),
        ("ASACOHAM", "child_followup", 1),
    }
    assert all(set(r) == {"indicator", "indicator_name", "period", "facility", "cell", "value"} for r in rows)
    assert dhis2.month_values("2026-03") == rows
