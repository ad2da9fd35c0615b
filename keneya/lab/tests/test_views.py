"""The laboratory's pages and the lab's part of the record, in French, scoped and logged."""

from __future__ import annotations

import uuid

import pytest
from django.test import RequestFactory

from keneya.lab import record, services
from keneya.lab.models import LabOrder, LabResult
from keneya.records.hooks import patient_sections, patient_timeline, summary_parts
from keneya.records.models import RecordAccess

pytestmark = pytest.mark.django_db


def test_the_clinician_requests_an_hb_from_the_form(client, users, woman):
    client.force_login(users.clinician1)
    page = client.get(f"/patients/{woman.pk}/examens/demander/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Demander un examen" in text and "Hémoglobine" in text and "Grossesse en cours" in text
    oid = str(uuid.uuid4())
    response = client.post(
        f"/patients/{woman.pk}/examens/demander/", {"id": oid, "tests": ["hb"], "note": "Pâleur"}
    )
    assert response.status_code == 302 and response["Location"] == f"/patients/{woman.pk}/examens/"
    again = client.post(f"/patients/{woman.pk}/examens/demander/", {"id": oid, "tests": ["hb"]})
    assert again.status_code == 302 and LabOrder.objects.count() == 1
    assert LabOrder.objects.get().note == "Pâleur"


def test_an_empty_request_form_says_why_in_french(client, users, woman):
    client.force_login(users.clinician1)
    response = client.post(f"/patients/{woman.pk}/examens/demander/", {"id": str(uuid.uuid4())})
    assert response.status_code == 400 and "Choisissez au moins un examen." in response.content.decode()


def test_another_cscom_gets_a_404(client, users, woman, order_hb, labtech2):
    client.force_login(users.clinician2)
    assert client.get(f"/patients/{woman.pk}/examens/demander/").status_code == 404
    assert client.get(f"/patients/{woman.pk}/examens/").status_code == 404
    client.force_login(labtech2)
    assert client.get(f"/laboratoire/demandes/{order_hb.pk}/").status_code == 404
    assert "Aucune demande en attente." in client.get("/laboratoire/").content.decode()


def test_the_laboratory_enters_results_and_sees_the_flag(
    client, labtech1, woman, order_hb, django_assert_max_num_queries
):
    client.force_login(labtech1)
    with django_assert_max_num_queries(12):
        pending = client.get("/laboratoire/")
    assert woman.full_name in pending.content.decode() and "Saisir les résultats" in pending.content.decode()
    page = client.get(f"/laboratoire/demandes/{order_hb.pk}/")
    assert 'inputmode="decimal"' in page.content.decode()
    bad = client.post(f"/laboratoire/demandes/{order_hb.pk}/", {"r_hb": "abc"})
    assert bad.status_code == 400 and "Saisissez un nombre" in bad.content.decode()
    response = client.post(
        f"/laboratoire/demandes/{order_hb.pk}/", {"r_hb": "6,2", "r_glycemia": ""}, follow=True
    )
    text = response.content.decode()
    assert "Résultat critique : une alerte urgente est envoyée au centre demandeur." in text
    assert 'data-flag="critical"' in text and "6,2 g/dL" in text


def test_a_correction_shows_the_first_value_struck_through(client, labtech1, order_hb):
    client.force_login(labtech1)
    (hb,) = services.record_results(by=labtech1, order=order_hb, results=[("hb", "6.2")])
    response = client.post(
        f"/laboratoire/resultats/{hb.pk}/corriger/",
        {"value": "12,2", "reason": "Erreur de saisie"},
        follow=True,
    )
    text = response.content.decode()
    assert "Résultat corrigé" in text and "<del>6,2 g/dL</del>" in text and "Erreur de saisie" in text
    assert LabResult.objects.filter(voided_at__isnull=True).get().value == "12.2"
    refused = client.post(
        f"/laboratoire/resultats/{hb.pk}/corriger/", {"value": "13", "reason": ""}, follow=True
    )
    assert "Ce résultat a déjà été corrigé." in refused.content.decode()


def test_the_record_shows_flags_trend_and_timeline(client, users, labtech1, woman, order_hb):
    services.record_results(by=labtech1, order=order_hb, results=[("hb", "6.2"), ("glycemia", "1.0")])
    client.force_login(users.clinician1)
    text = client.get(f"/patients/{woman.pk}/examens/").content.decode()
    assert 'id="lab-trend-data"' in text and "lab/trend_chart.js" in text and 'data-flag="critical"' in text
    request = RequestFactory().get("/")
    request.user = users.clinician1
    (order, html), *_ = [
        part for parts in patient_sections(request, woman) for part in parts if "lab-trend-hb" in part[1]
    ]
    assert order == record.SECTION_ORDER and "Demander un examen" in html and "lab-trend-hb" in html
    (summary,) = [p for p in summary_parts(users.clinician1, woman) if "recent_lab_results" in p]
    items = summary["recent_lab_results"]
    assert {i["label"] for i in items} == {"Hb : 6,2 g/dL (critique (bas))", "Glycémie : 1,00 g/L"}
    assert [i["critical"] for i in items if i["test"] == "hb"] == [True]
    entries = [e for part in patient_timeline(users.clinician1, woman) for e in part]
    assert entries[0]["facility"] == "CSCom ASACOLA I" and entries[0]["kind"] == "lab_order"
    assert entries[0]["title"] == "Examens de laboratoire : Hb, Glycémie" and entries[0]["critical"]
    assert summary_parts(users.clinician2, woman) and not [
        i for p in summary_parts(users.clinician2, woman) for i in p.get("recent_lab_results", [])
    ]


def test_pages_showing_a_person_are_logged(client, users, woman, order_hb, labtech1):
    client.force_login(users.clinician1)
    client.get(f"/patients/{woman.pk}/examens/")
    client.get(f"/patients/{woman.pk}/examens/demander/")
    client.force_login(labtech1)
    client.get("/laboratoire/")
    client.get(f"/laboratoire/demandes/{order_hb.pk}/")
    rows = list(RecordAccess.objects.order_by("id").values_list("action", "person_id"))
    assert rows == [
        ("lab_results_page", woman.pk),
        ("lab_order_form", woman.pk),
        ("lab_pending_list", None),
        ("lab_order_page", woman.pk),
    ]


def test_the_laboratory_technician_home_shows_the_pending_count(client, labtech1, order_hb):
    client.force_login(labtech1)
    text = client.get("/").content.decode()
    assert "Laboratoire : 1 demande en attente" in text


def test_the_persons_export_holds_the_lab_results_and_anonymisation_blanks_the_note(users, labtech1, woman):
    from keneya.people.privacy import anonymise_person_data, collect_person_data

    order, _ = services.request_tests(
        by=users.clinician1, person=woman, tests=["hb"], note="Mme Coulibaly, pâle"
    )
    (hb,) = services.record_results(by=labtech1, order=order, results=[("hb", "6.2")])
    services.correct_result(by=labtech1, result=hb, value="12.2", reason="Erreur")
    parts = collect_person_data(woman)
    rows = parts["lab_results"]["data"]
    assert [(r["value"], r["voided_at"] is not None) for r in rows] == [("6.2", True), ("12.2", False)]
    anonymise_person_data(woman)
    order.refresh_from_db()
    assert order.note == "" and LabResult.objects.filter(person=woman).count() == 2
