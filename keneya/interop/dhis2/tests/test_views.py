"""The M&E officer's pages: the month's values and unmapped cells, the dry-run's conflicts, the push."""

from __future__ import annotations

import pytest

from keneya.interop.dhis2.models import Push, PushStatus
from keneya.interop.dhis2.tests.conftest import PERIOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client, users):
    client.force_login(users.me)
    return client


def test_the_home_page_offers_the_previous_month_and_the_home_tile_links_it(me, dhis2_settings):
    page = me.get("/dhis2/").content.decode()
    assert "Envoi mensuel à DHIS2" in page and 'type="month"' in page
    assert "/dhis2/" in me.get("/").content.decode()

    response = me.get("/dhis2/", {"mois": PERIOD})
    assert response.status_code == 302 and response["Location"] == f"/dhis2/{PERIOD}/"


def test_an_unconfigured_server_is_said_in_french(me, settings):
    settings.DHIS2_URL = ""
    assert "DHIS2 n'est pas configuré" in me.get("/dhis2/").content.decode()


def test_the_month_page_lists_the_values_and_every_unmapped_cell(me, dhis2_settings, mapped, month_values):
    page = me.get(f"/dhis2/{PERIOD}/").content.decode()

    assert "5 valeurs à envoyer" in page
    assert "2 cellules sans correspondance" in page
    assert "age_band=0-11m;sex=F" in page  # the key to copy into the admin
    assert "Structure sans unité d&#x27;organisation DHIS2." in page
    assert "Période DHIS2 202603" in page


def test_an_invalid_month_is_a_404(me):
    assert me.get("/dhis2/2026-13/").status_code == 404


def test_dry_run_then_conflicts_shown_against_their_cell_then_push(
    me, dhis2_settings, mapped, month_values, fake, django_capture_on_commit_callbacks
):
    fake.metadata["categoryOptionCombos"] = [
        c for c in fake.metadata["categoryOptionCombos"] if c["code"] != "M"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = me.post(f"/dhis2/{PERIOD}/essai/")
    push = Push.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dhis2/envois/{push.pk}/"

    page = me.get(response["Location"]).content.decode()
    assert "2 conflits à corriger à la source" in page
    assert "Visites à domicile" in page and "sex : M" in page and "ASACOHAM" in page
    assert "E7613" in page and "corriger la combinaison de cette cellule" in page

    refused = me.post(f"/dhis2/{PERIOD}/envoi/", follow=True).content.decode()
    assert "conflits" in refused and Push.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        me.post(f"/dhis2/{PERIOD}/envoi/", {"accept_conflicts": "1"})
    real = Push.objects.get(dry_run=False)
    assert real.status == PushStatus.WARNING
    month_page = me.get(f"/dhis2/{PERIOD}/").content.decode()
    assert "envoyé le" in month_page


def test_a_waiting_push_page_refreshes_itself(me, dhis2_settings, mapped, month_values):
    me.post(f"/dhis2/{PERIOD}/essai/")  # the worker has not run (no commit in the test)
    push = Push.objects.get()

    page = me.get(f"/dhis2/envois/{push.pk}/").content.decode()
    assert "en attente" in page and 'hx-trigger="every 4s"' in page


@pytest.mark.parametrize("role", ["chw1", "clinician1", "manager1", "social"])
def test_other_roles_are_refused(client, users, role):
    client.force_login(getattr(users, role))
    assert client.get("/dhis2/").status_code == 403
    assert client.post(f"/dhis2/{PERIOD}/essai/").status_code == 403


def test_the_api_lists_the_pushes_and_a_push_with_its_conflicts(
    me, dhis2_settings, mapped, month_values, fake, django_capture_on_commit_callbacks
):
    fake.metadata["categoryOptionCombos"] = [
        c for c in fake.metadata["categoryOptionCombos"] if c["code"] != "M"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        me.post(f"/dhis2/{PERIOD}/essai/")
    push = Push.objects.get()

    listed = me.get("/api/v1/dhis2/pushes/", {"period": PERIOD}).json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert (row["status"], row["dry_run"], row["value_count"], row["conflict_count"]) == (
        "warning",
        True,
        5,
        2,
    )
    assert me.get("/api/v1/dhis2/pushes/", {"period": "2025-01"}).json()["count"] == 0

    detail = me.get(f"/api/v1/dhis2/pushes/{push.pk}/").json()
    assert {
        (c["indicator"], c["facility"], c["cell"]["sex"], c["error_code"]) for c in detail["conflicts"]
    } == {
        ("home_visits", "ASACOLA", "M", "E7613"),
        ("home_visits", "ASACOHAM", "M", "E7613"),
    }
    assert len(detail["unmapped"]) == 2


def test_the_api_is_for_the_reports_capability(client, users):
    client.force_login(users.clinician1)
    assert client.get("/api/v1/dhis2/pushes/").status_code == 403
