"""The clinician's inbox: urgent first, the French findings, triage by htmx, scope."""

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keneya.alerts.models import Alert
from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.visits.services import record_home_visit

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def household(users, household_factory):
    return household_factory(users.chw1, phone="76 11 22 33")


def child_with_visit(users, household, name, kind="sick_child", findings=None, measurements=None):
    child = add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", name, "F", timezone.localdate() - timedelta(days=400)),
    )
    record_home_visit(
        by=users.chw1,
        person=child,
        visit_date=timezone.localdate(),
        kind=kind,
        findings=findings if findings is not None else {"chest_indrawing": True},
        measurements=measurements or {},
    )
    return child


@pytest.fixture
def clinician(client, users):
    client.force_login(users.clinician1)
    return client


def test_inbox_shows_urgent_first_with_the_findings_chw_and_phone(clinician, users, household):
    child_with_visit(
        users, household, "Awa", kind="child_followup", findings={}, measurements={"muac_mm": 120}
    )  # moderate malnutrition: routine, older
    child_with_visit(users, household, "Fanta")  # chest indrawing: urgent, newer
    page = text(clinician.get("/alertes/"))
    assert page.index("Fanta Traoré") < page.index("Awa Traoré")
    assert "Tirage sous-costal : référer d'urgence." in page
    assert "13 mois" in page
    assert users.chw1.get_full_name() in page and "+223 76 11 22 33" in page
    assert "2 alertes ouvertes" in page


def test_inbox_query_count_does_not_grow_with_the_alerts(
    clinician, users, household, django_assert_max_num_queries
):
    child_with_visit(users, household, "Awa")
    clinician.get("/alertes/")  # warm the session
    with CaptureQueriesContext(connection) as one:
        clinician.get("/alertes/")
    for name in ("Bintou", "Kadia", "Mariam", "Oumou", "Sira"):
        child_with_visit(users, household, name)
    with CaptureQueriesContext(connection) as six:
        clinician.get("/alertes/")
    assert len(six) == len(one)
    with django_assert_max_num_queries(12):
        response = clinician.get("/alertes/")
    assert text(response).count("Prendre en compte") == 6


def test_acknowledge_by_htmx_answers_with_the_row(clinician, users, household):
    child_with_visit(users, household, "Fanta")
    alert = Alert.objects.get()
    response = clinician.post(f"/alertes/{alert.pk}/prise-en-compte/", **HTMX)
    assert response.status_code == 200
    assert f'id="alert-{alert.pk}"' in text(response) and "Prise en compte par" in text(response)
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.acknowledged_by == users.clinician1


def test_convoke_records_the_appointment_and_a_past_date_is_refused(clinician, users, household):
    child_with_visit(users, household, "Fanta")
    alert = Alert.objects.get()
    past = timezone.localdate() - timedelta(days=1)
    response = clinician.post(f"/alertes/{alert.pk}/convocation/", {"appointment_date": str(past)}, **HTMX)
    assert "La date de convocation est passée." in text(response)
    alert.refresh_from_db()
    assert alert.status == "open" and alert.appointment_date is None
    response = clinician.post(
        f"/alertes/{alert.pk}/convocation/",
        {"appointment_date": str(timezone.localdate() + timedelta(days=1))},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "convoked" and alert.appointment_date is not None


def test_close_needs_a_reason(clinician, users, household):
    child_with_visit(users, household, "Fanta")
    alert = Alert.objects.get()
    response = clinician.post(f"/alertes/{alert.pk}/cloture/", {})
    assert response.status_code == 400 and "Ce champ est obligatoire." in text(response)
    assert Alert.objects.get().status == "open"
    response = clinician.post(f"/alertes/{alert.pk}/cloture/", {"reason": "false_alarm"}, **HTMX)
    assert "Clôturée : Fausse alerte" in text(response)
    assert Alert.objects.get().close_reason == "false_alarm"
    assert "Fanta" not in text(clinician.get("/alertes/"))


def test_another_cscom_does_not_see_or_triage_the_alert(client, users, household):
    child_with_visit(users, household, "Fanta")
    alert = Alert.objects.get()
    client.force_login(users.clinician2)
    assert "Fanta" not in text(client.get("/alertes/"))
    assert client.post(f"/alertes/{alert.pk}/prise-en-compte/").status_code == 404
    client.force_login(users.chw1)
    assert client.get("/alertes/").status_code == 403
    assert Alert.objects.get().status == "open"


def test_home_page_links_the_inbox_for_clinicians_only(client, users):
    client.force_login(users.clinician1)
    assert "/alertes/" in text(client.get("/"))
    client.force_login(users.chw1)
    assert "/alertes/" not in text(client.get("/"))
