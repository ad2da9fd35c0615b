"""Referral pages: the facility's list with time to care, its actions, the slip, to the CSRef."""

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.records.services import record_consultation
from keneya.referrals.models import Referral
from keneya.visits.services import record_home_visit

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def child(users, household_factory):
    household = household_factory(users.chw1, phone="76 11 22 33")
    return add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Fanta", "F", timezone.localdate() - timedelta(days=400)),
    )


@pytest.fixture
def referral(users, child):
    visit = record_home_visit(
        by=users.chw1,
        person=child,
        visit_date=timezone.localdate(),
        kind="sick_child",
        findings={"cough": True, "chest_indrawing": True},
        measurements={"weight_kg": 9.0, "muac_mm": 130},
    )
    return visit.referral


@pytest.fixture
def clinician(client, users):
    client.force_login(users.clinician1)
    return client


def test_list_shows_status_and_colours_a_wait_over_24_hours(clinician, referral):
    page = text(clinician.get("/references/"))
    assert "Fanta Traoré" in page and "Émise" in page and "En attente depuis" in page
    assert "delay late" not in page
    Referral.objects.filter(pk=referral.pk).update(issued_at=timezone.now() - timedelta(hours=30))
    page = text(clinician.get("/references/"))
    assert "delay late" in page and "plus de 24 h" in page


def test_list_query_count_does_not_grow_with_the_referrals(
    clinician, users, child, referral, django_assert_max_num_queries
):
    clinician.get("/references/")  # warm the session
    with CaptureQueriesContext(connection) as one:
        clinician.get("/references/")
    for _ in range(4):
        record_home_visit(
            by=users.chw1,
            person=child,
            visit_date=timezone.localdate(),
            kind="sick_child",
            findings={"convulsions": True},
        )
    with CaptureQueriesContext(connection) as five:
        response = clinician.get("/references/")
    assert len(five) == len(one) and text(response).count("Fiche</a>") == 5
    with django_assert_max_num_queries(10):
        clinician.get("/references/")


def test_arrived_then_consultation_shows_the_time_to_care(clinician, users, referral, child):
    response = clinician.post(f"/references/{referral.pk}/arrivee/", **HTMX)
    assert "Arrivé·e" in text(response)
    record_consultation(by=users.clinician1, person=child, complaint="Toux", diagnoses=["J18.9"])
    page = text(clinician.get("/references/?statut=seen"))
    assert "Délai de prise en charge" in page and "Fanta Traoré" in page


def test_empty_counter_referral_is_refused_in_french(clinician, users, referral, child):
    record_consultation(by=users.clinician1, person=child, complaint="Toux")
    response = clinician.post(f"/references/{referral.pk}/contre-reference/", {"note": ""}, **HTMX)
    assert "Ce champ est obligatoire." in text(response)
    assert Referral.objects.get().counter_referral_note == ""
    response = clinician.post(
        f"/references/{referral.pk}/contre-reference/", {"note": "Amoxicilline 5 jours."}, **HTMX
    )
    assert "Amoxicilline 5 jours." in text(response)
    assert Referral.objects.get().status == "counter_referred"
    response = clinician.post(f"/references/{referral.pk}/cloture/")
    assert response.status_code == 302 and Referral.objects.get().status == "closed"


def test_an_open_referral_cannot_be_closed(clinician, referral):
    response = clinician.post(f"/references/{referral.pk}/cloture/")
    assert response.status_code == 400
    assert "Une référence ouverte ne peut pas être clôturée" in text(response)
    assert Referral.objects.get().status == "issued"


def test_not_arrived_raises_the_follow_up(clinician, referral):
    response = clinician.post(f"/references/{referral.pk}/non-arrivee/", **HTMX)
    assert "Non arrivé·e" in text(response)
    assert Referral.objects.get().status == "not_arrived"


def test_slip_is_printable_french_with_findings_reasons_chw_and_destination(client, users, referral):
    client.force_login(users.chw1)
    page = text(client.get(f"/references/{referral.pk}/fiche/"))
    assert "Fiche de référence" in page and "URGENTE" in page
    assert "Tirage sous-costal" in page  # the finding
    assert "Tirage sous-costal : référer d'urgence." in page  # the reason's text
    assert users.chw1.get_full_name() in page and "CSCom ASACOLA I" in page
    assert "data-print" in page and "PB 130 mm" in page  # app.js prints (no inline script under the CSP)


def test_other_zone_and_other_cscom_get_404(client, users, referral):
    for user in (users.chw2, users.clinician2):
        client.force_login(user)
        assert client.get(f"/references/{referral.pk}/fiche/").status_code == 404
    assert client.post(f"/references/{referral.pk}/arrivee/").status_code == 404
    assert "Fanta" not in text(client.get("/references/"))
    assert Referral.objects.get().status == "issued"


def test_cscom_clinician_refers_to_the_csref(clinician, users, child, district):
    url = f"/patients/{child.pk}/referer-csref/"
    assert "CSRef Commune IV" in text(clinician.get(url))
    response = clinician.post(url, {"reason": ""})
    assert response.status_code == 400 and "Ce champ est obligatoire." in text(response)
    assert not Referral.objects.exists()
    response = clinician.post(url, {"reason": "Pneumonie grave, pas d'oxygène", "urgent": "on"})
    referral = Referral.objects.get()
    assert response["Location"] == f"/references/{referral.pk}/fiche/"
    assert referral.to_facility == district.csref and referral.from_facility == district.cscom1
    assert referral.urgent


def test_clinician_of_another_cscom_cannot_refer_the_child(client, users, child):
    client.force_login(users.clinician2)
    assert client.post(f"/patients/{child.pk}/referer-csref/", {"reason": "x"}).status_code == 404
    assert not Referral.objects.exists()
