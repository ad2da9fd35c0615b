"""The patient summary: its stable shape through the API, its scope, the access log, what the
apps above add through the hooks, the banner, the carnet and one record across facilities."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.records import hooks, queries, services
from keneya.records.models import RecordAccess
from keneya.records.services import record_consultation
from keneya.visits.services import record_home_visit

pytestmark = pytest.mark.django_db

STABLE_KEYS = {
    "person",
    "problems",
    "resolved_problems",
    "allergies",
    "medications",
    "last_vitals",
    "last_weight",
    "pregnancy",
    "recent_lab_results",
    "coverage",
    "open_alerts",
    "open_referrals",
}


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def world(users: Any, household_factory: Any) -> SimpleNamespace:
    household = household_factory(users.chw1)
    head = household.head
    child = add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Fanta", "F", timezone.localdate() - timedelta(days=400)),
    )
    record_consultation(
        by=users.clinician1,
        person=head,
        complaint="Céphalées",
        diagnoses=["I10"],
        vitals={"systolic_bp": 162, "diastolic_bp": 98, "weight_kg": "71.5"},
        consulted_at=timezone.now() - timedelta(days=3),
    )
    services.add_problem(by=users.clinician1, person=head, icd10_code="I10")
    RecordAccess.objects.all().delete()
    return SimpleNamespace(household=household, head=head, child=child)


def test_the_summary_api_has_a_stable_shape(users, world):
    response = api(users.clinician1).get(f"/api/v1/persons/{world.head.pk}/summary/")
    assert response.status_code == 200
    data = response.json()
    assert STABLE_KEYS <= set(data)
    for key in (
        "allergies",
        "medications",
        "recent_lab_results",
        "coverage",
        "open_alerts",
        "open_referrals",
    ):
        assert isinstance(data[key], list), key
    assert [p["icd10_code"] for p in data["problems"]] == ["I10"]
    assert data["problems"][0]["label"].startswith("Hypertension essentielle")
    assert data["last_vitals"]["systolic_bp"] == 162 and data["last_vitals"]["diastolic_bp"] == 98
    assert "TA 162/98 mmHg" in data["last_vitals"]["label"]
    assert data["last_weight"]["kg"] == pytest.approx(71.5)
    assert data["person"]["full_name"] == world.head.full_name
    assert data["person"]["chw"]["name"]
    assert data["pregnancy"] is None  # the head is a man here, or not dated


def test_the_summary_of_an_empty_record_has_every_key(users, world):
    data = api(users.clinician1).get(f"/api/v1/persons/{world.child.pk}/summary/").json()
    assert STABLE_KEYS <= set(data)
    assert data["problems"] == [] and data["allergies"] == [] and data["last_vitals"] is None


@pytest.mark.parametrize(
    "who, status", [("clinician2", 404), ("chw1", 403), ("social", 403), ("treasurer", 403)]
)
def test_another_cscom_or_a_non_clinical_role_sees_nothing(users, world, who, status):
    client = api(getattr(users, who))
    for path in ("summary", "problems", "documents"):
        response = client.get(f"/api/v1/persons/{world.head.pk}/{path}/")
        assert response.status_code == status, path
        assert "Hypertension" not in response.content.decode()
    response = client.post(f"/api/v1/persons/{world.head.pk}/problems/", {"icd10_code": "E11"}, format="json")
    assert response.status_code == status
    assert not RecordAccess.objects.exists()


def test_reading_the_summary_is_logged(users, world):
    api(users.clinician1).get(f"/api/v1/persons/{world.head.pk}/summary/")
    row = RecordAccess.objects.get()
    assert (row.action, row.person_id, row.user_id) == ("summary_api", world.head.pk, users.clinician1.pk)


def test_problems_through_the_api(users, world):
    client = api(users.clinician1)
    url = f"/api/v1/persons/{world.head.pk}/problems/"
    body = {"id": "0190f0a0-0000-7000-8000-000000000001", "icd10_code": "E11", "onset": "2024-03-01"}
    created = client.post(url, body, format="json")
    assert created.status_code == 201, created.content
    assert client.post(url, body, format="json").status_code == 200  # same id: the same problem
    assert client.post(url, {"icd10_code": "ZZZ"}, format="json").status_code == 400
    duplicate = client.post(url, {"icd10_code": "E11"}, format="json")
    assert duplicate.status_code == 400 and "déjà sur la liste" in duplicate.content.decode()
    problem_id = created.json()["id"]
    replaced = client.post(
        f"/api/v1/problems/{problem_id}/correct/",
        {"reason": "Type 1 en fait", "icd10_code": "E10"},
        format="json",
    )
    assert replaced.status_code == 201 and replaced.json()["replaces"] == problem_id
    assert sorted(p["icd10_code"] for p in client.get(url).json()) == ["E10", "I10"]
    history = client.get(url + "?history=1").json()
    assert {p["icd10_code"] for p in history} == {"E10", "E11", "I10"}
    voided = client.post(f"/api/v1/problems/{replaced.json()['id']}/void/", {"reason": "Erreur de patient"})
    assert voided.status_code == 200
    assert (
        client.post(f"/api/v1/problems/{problem_id}/void/", {"reason": "encore une fois"}).status_code == 400
    )
    assert (
        api(users.clinician2).post(f"/api/v1/problems/{problem_id}/void/", {"reason": "xxxxxx"}).status_code
        == 404
    )


def test_a_consultation_diagnosis_through_the_api(users, world):
    consultation = world.head.consultations.get()
    client = api(users.clinician1)
    url = f"/api/v1/persons/{world.head.pk}/problems/"
    response = client.post(url, {"icd10_code": "I10", "consultation": str(consultation.pk)}, format="json")
    assert response.status_code == 201  # the active problem already there
    assert (
        client.post(
            url, {"icd10_code": "E11", "consultation": str(consultation.pk)}, format="json"
        ).status_code
        == 400
    )


def test_what_the_apps_above_add_is_merged(users, world):
    def allergies(user, person):
        return {"allergies": [{"substance": "AMOX", "label": "Amoxicilline : urticaire (modérée)"}]}

    def timeline(user, person):
        return [
            {
                "at": timezone.now() - timedelta(hours=1),
                "kind": "lab",
                "title": "Examen de laboratoire",
                "facility": "CSCom 1",
                "url": None,
                "detail": "Hb 6,2 g/dL (critique)",
            }
        ]

    def section(request, person):
        from django.utils.safestring import mark_safe

        return [(50, mark_safe('<section id="ordonnances"><h2>Ordonnances</h2></section>'))]

    hooks.summary_parts.register(allergies)
    hooks.patient_timeline.register(timeline)
    hooks.patient_sections.register(section)
    try:
        data = api(users.clinician1).get(f"/api/v1/persons/{world.head.pk}/summary/").json()
        assert data["allergies"][0]["label"] == "Amoxicilline : urticaire (modérée)"
        client = APIClient()
        client.force_login(users.clinician1)
        page = client.get(f"/patients/{world.head.pk}/").content.decode()
        assert "Amoxicilline : urticaire (modérée)" in page  # the banner
        assert "Hb 6,2 g/dL (critique)" in page  # the timeline
        assert '<section id="ordonnances">' in page  # the section
    finally:
        hooks.summary_parts._receivers.remove(allergies)
        hooks.patient_timeline._receivers.remove(timeline)
        hooks.patient_sections._receivers.remove(section)


def test_the_coverage_comes_from_social_protection(users, world):
    from keneya.social_protection.tests.factories import (
        demo_grid_active,
        issued_card,
        opened_dossier,
        screened,
    )

    demo_grid_active(users.admin)
    screened(users.chw1, world.household)
    dossier = opened_dossier(users.social, world.household, "ramed")
    until = timezone.localdate() + timedelta(days=300)
    issued_card(users.social, dossier, valid_from=timezone.localdate(), valid_until=until, number="R-42")
    coverage = api(users.clinician1).get(f"/api/v1/persons/{world.head.pk}/summary/").json()["coverage"]
    assert coverage[0]["scheme"] == "ramed" and coverage[0]["card_number"] == "R-42"
    assert coverage[0]["label"] == f"RAMED valide jusqu'au {until:%d/%m/%Y}"
    assert set(coverage[0]) >= {"scheme", "status", "card_number", "valid_from", "valid_until", "label"}


def test_the_banner_is_on_every_page_of_a_patient(users, world, client):
    client.force_login(users.clinician1)
    for path in (f"/patients/{world.head.pk}/", f"/patients/{world.head.pk}/consultation/"):
        page = client.get(path).content.decode()
        assert "data-banner" in page and "Hypertension essentielle" in page, path
    client.force_login(users.manager1)
    page = client.get(f"/patients/{world.head.pk}/journal-des-acces/").content.decode()
    assert "data-banner" in page


def test_a_pregnant_woman_shows_her_gestational_age(users, household_factory):
    household = household_factory(users.chw1)
    woman = add_member(
        by=users.chw1,
        household=household,
        data=person("Coulibaly", "Awa", "F", timezone.localdate() - timedelta(days=25 * 365)),
    )
    today = timezone.localdate()
    record_home_visit(
        by=users.chw1,
        person=woman,
        visit_date=today,
        kind="pregnancy",
        findings={},
        measurements={"lmp": (today - timedelta(days=70)).isoformat()},
    )
    summary = queries.patient_summary(users.clinician1, woman, today=today)
    assert summary["pregnancy"] is not None, "no pregnancy dated"
    assert summary["pregnancy"]["weeks"] == 10
    assert summary["pregnancy"]["label"].startswith("Enceinte : 10 SA")


def test_the_weight_of_a_later_home_visit_wins(users, world):
    today = timezone.localdate()
    record_home_visit(
        by=users.chw1,
        person=world.child,
        visit_date=today,
        kind="child_followup",
        findings={},
        measurements={"weight_kg": 8.4, "length_or_height_cm": 74.0, "measured_position": "L"},
    )
    weight = queries.last_weight(world.child)
    assert weight is not None
    assert weight["kg"] == pytest.approx(8.4) and weight["source"] == "visit"


def test_the_csref_specialist_sees_the_whole_record_after_a_referral_and_the_counter_referral_comes_back(
    users, world
):
    from keneya.referrals.services import counter_refer, refer_to_csref

    specialist = api(users.specialist)
    assert specialist.get(f"/api/v1/persons/{world.head.pk}/summary/").status_code == 404
    referral = refer_to_csref(by=users.clinician1, person=world.head, reason="HTA sévère")
    data = specialist.get(f"/api/v1/persons/{world.head.pk}/summary/").json()
    assert [p["icd10_code"] for p in data["problems"]] == ["I10"]  # recorded at the CSCom
    assert data["open_referrals"][0]["to_facility"] == referral.to_facility.name
    record_consultation(by=users.specialist, person=world.head, complaint="HTA sévère", diagnoses=["I11"])
    counter_refer(
        by=users.specialist, referral=referral.__class__.objects.get(pk=referral.pk), note="Amlodipine 10 mg"
    )
    client = APIClient()
    client.force_login(users.clinician1)
    page = client.get(f"/patients/{world.head.pk}/").content.decode()
    assert "Amlodipine 10 mg" in page  # the counter-referral note, in the same record
    assert referral.to_facility.name in page and users.clinician1.facility.name in page  # both facilities


def test_the_carnet_pdf_opens_and_names_the_patient(users, world, client):
    from keneya.core.tests.pdf_text import pdf_text

    client.force_login(users.clinician1)
    response = client.get(f"/patients/{world.head.pk}/carnet.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert world.head.family_name in text and "Carnet de santé" in text
    assert "Hypertension essentielle" in text
    assert RecordAccess.objects.get().action == "carnet_pdf"


def test_the_carnet_of_a_child_draws_the_growth_chart(users, world):
    from keneya.records import charts

    record_home_visit(
        by=users.chw1,
        person=world.child,
        visit_date=timezone.localdate(),
        kind="child_followup",
        findings={},
        measurements={"weight_kg": 8.4, "length_or_height_cm": 74.0, "measured_position": "L"},
    )
    svg = charts.growth_svg(
        person=world.child,
        visits=world.child.visits.all(),
        consultations=world.child.consultations.all(),
        today=timezone.localdate(),
    )
    assert svg is not None and svg.startswith("<svg") and svg.count("<polyline") == 6 and "<circle" in svg
    assert (
        charts.growth_svg(person=world.head, visits=[], consultations=[], today=timezone.localdate()) is None
    )


def test_break_the_glass_opens_the_summary_and_the_reads_are_logged_with_the_grant(users, world):
    from keneya.records.access import open_break_glass

    client = api(users.clinician2)
    url = f"/api/v1/persons/{world.head.pk}/summary/"
    assert client.get(url).status_code == 404
    grant = open_break_glass(by=users.clinician2, person_id=world.head.pk, reason="Urgence vue à Hamdallaye")
    assert grant is not None
    response = client.get(url)
    assert response.status_code == 200 and response.json()["problems"][0]["icd10_code"] == "I10"
    read = RecordAccess.objects.filter(action="summary_api").get()
    assert read.grant_id == grant.pk and read.user_id == users.clinician2.pk


def test_the_summary_api_reads_a_fixed_number_of_queries(users, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(users.clinician1)
    url = f"/api/v1/persons/{world.head.pk}/summary/"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for days in (5, 10, 20):
        record_consultation(
            by=users.clinician1,
            person=world.head,
            complaint="Suivi",
            diagnoses=["E11"],
            vitals={"systolic_bp": 150, "diastolic_bp": 95},
            consulted_at=timezone.now() - timedelta(days=days),
        )
    services.add_problem(by=users.clinician1, person=world.head, icd10_code="E11")
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small) <= 16  # records 13; pharmacy and lab add their parts
