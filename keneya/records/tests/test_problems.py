"""The problem list: ICD-10 coded, onset and status, who and when; corrections void and replace."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from keneya.core.errors import IdTaken
from keneya.records import queries, services
from keneya.records.models import Problem, ProblemStatus
from keneya.records.services import record_consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def adult(users, household_factory):
    return household_factory(users.chw1).head


def test_a_problem_is_coded_dated_and_signed(users, adult):
    onset = timezone.localdate() - timedelta(days=400)
    problem = services.add_problem(by=users.clinician1, person=adult, icd10_code="i10", onset=onset)
    assert (problem.icd10_code, problem.label) == ("I10", "Hypertension essentielle (primitive)")
    assert problem.status == ProblemStatus.ACTIVE and problem.onset == onset
    assert problem.recorded_by == users.clinician1 and problem.facility == users.clinician1.facility
    entry = queries.problem_entry(problem)
    assert entry["label"].startswith("Hypertension essentielle (primitive) (I10), depuis le")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"icd10_code": "X99.9"}, "icd10_code"),
        ({"icd10_code": "I10", "onset": timezone.localdate() + timedelta(days=2)}, "onset"),
        ({"icd10_code": "I10", "status": "cured"}, "status"),
        ({"icd10_code": "I10", "resolved_on": timezone.localdate()}, "resolved_on"),
        ({"icd10_code": "I10", "note": "x" * 301}, "note"),
    ],
)
def test_bad_problems_are_refused_in_french(users, adult, kwargs, field):
    with pytest.raises(ValidationError) as error:
        services.add_problem(by=users.clinician1, person=adult, **kwargs)
    assert field in error.value.message_dict
    assert not Problem.objects.exists()


def test_an_onset_before_birth_is_refused(users, adult):
    with pytest.raises(ValidationError) as error:
        services.add_problem(
            by=users.clinician1, person=adult, icd10_code="E11", onset=adult.date_of_birth - timedelta(days=1)
        )
    assert error.value.message_dict["onset"] == ["La date est antérieure à la naissance."]


def test_the_same_active_problem_twice_is_refused_and_the_same_id_returns_it(users, adult):
    pid = uuid.uuid4()
    first = services.add_problem(by=users.clinician1, person=adult, icd10_code="E11", id=pid)
    again = services.add_problem(by=users.clinician1, person=adult, icd10_code="E11", id=pid)
    assert again.pk == first.pk and Problem.objects.count() == 1
    with pytest.raises(ValidationError, match="déjà sur la liste"):
        services.add_problem(by=users.clinician1, person=adult, icd10_code="E11")


def test_an_id_taken_by_another_persons_problem_reveals_nothing(users, adult, household_factory):
    other = household_factory(users.chw1).head
    pid = uuid.uuid4()
    services.add_problem(by=users.clinician1, person=adult, icd10_code="E11", id=pid)
    with pytest.raises(IdTaken):
        services.add_problem(by=users.clinician1, person=other, icd10_code="E11", id=pid)


@pytest.mark.parametrize("who", ["clinician2", "chw1", "manager1", "social"])
def test_only_a_clinician_in_scope_writes_the_list(users, adult, who):
    with pytest.raises(PermissionDenied):
        services.add_problem(by=getattr(users, who), person=adult, icd10_code="I10")


def test_a_correction_voids_and_replaces(users, adult):
    wrong = services.add_problem(by=users.clinician1, person=adult, icd10_code="E10")
    right = services.correct_problem(
        by=users.clinician1, problem=wrong, reason="Type 2, pas type 1", icd10_code="E11"
    )
    wrong.refresh_from_db()
    assert wrong.voided_at is not None and wrong.void_reason == "Type 2, pas type 1"
    assert wrong.voided_by == users.clinician1
    assert right.replaces == wrong and right.icd10_code == "E11" and right.voided_at is None
    assert [p.icd10_code for p in queries.problems_of(adult)] == ["E11"]
    history = queries.problem_history(adult)
    assert {p.icd10_code for p in history} == {"E10", "E11"}  # the first value stays visible
    with pytest.raises(ValidationError, match="déjà été annulée"):
        services.correct_problem(by=users.clinician1, problem=wrong, reason="encore", icd10_code="E14")


def test_a_correction_needs_a_reason(users, adult):
    problem = services.add_problem(by=users.clinician1, person=adult, icd10_code="E11")
    with pytest.raises(ValidationError) as error:
        services.correct_problem(by=users.clinician1, problem=problem, reason=" ", icd10_code="E10")
    assert "reason" in error.value.message_dict
    problem.refresh_from_db()
    assert problem.voided_at is None


def test_resolving_replaces_the_problem_by_a_resolved_one(users, adult):
    problem = services.add_problem(
        by=users.clinician1, person=adult, icd10_code="E44.0", onset=timezone.localdate() - timedelta(days=60)
    )
    resolved = services.resolve_problem(by=users.clinician1, problem=problem)
    assert resolved.status == ProblemStatus.RESOLVED and resolved.resolved_on == timezone.localdate()
    assert resolved.onset == problem.onset and resolved.replaces_id == problem.pk
    summary = queries.patient_summary(users.clinician1, adult)
    assert summary["problems"] == []
    assert [p["icd10_code"] for p in summary["resolved_problems"]] == ["E44.0"]


def test_voiding_keeps_the_row(users, adult):
    problem = services.add_problem(by=users.clinician1, person=adult, icd10_code="G40")
    services.void_problem(by=users.clinician1, problem=problem, reason="Mauvais patient")
    assert list(queries.problems_of(adult)) == []
    assert Problem.objects.get().void_reason == "Mauvais patient"


def test_a_diagnosis_goes_on_the_list_in_one_action(users, adult):
    consultation = record_consultation(
        by=users.clinician1, person=adult, complaint="Céphalées", diagnoses=["I10"]
    )
    diagnosis = consultation.diagnoses.get()
    problem = services.problem_from_diagnosis(by=users.clinician1, diagnosis=diagnosis)
    assert problem.icd10_code == "I10" and problem.consultation == consultation
    assert problem.onset == timezone.localtime(consultation.consulted_at).date()
    # Twice: the active problem is returned, nothing new.
    assert services.problem_from_diagnosis(by=users.clinician1, diagnosis=diagnosis).pk == problem.pk
    assert Problem.objects.count() == 1


def test_a_consultation_can_put_its_diagnoses_on_the_list(users, adult):
    record_consultation(
        by=users.clinician1,
        person=adult,
        complaint="Suivi",
        diagnoses=["I10", "E11"],
        add_to_problem_list=True,
    )
    assert sorted(p.icd10_code for p in queries.problems_of(adult)) == ["E11", "I10"]


def test_the_csref_specialist_writes_the_list_of_a_referred_person(users, adult, district):
    from keneya.referrals.services import refer_to_csref

    with pytest.raises(PermissionDenied):
        services.add_problem(by=users.specialist, person=adult, icd10_code="I10")
    refer_to_csref(by=users.clinician1, person=adult, reason="HTA non contrôlée")
    problem = services.add_problem(by=users.specialist, person=adult, icd10_code="I11")
    assert problem.facility == district.csref


def test_the_patient_page_adds_resolves_and_voids_problems(users, adult, client):
    client.force_login(users.clinician1)
    base = f"/patients/{adult.pk}/problemes/"
    response = client.post(base, {"condition": "D57.1", "status": "active", "onset": "2015-01-10"})
    assert response.status_code == 302 and response["Location"].endswith("#problemes")
    page = client.get(f"/patients/{adult.pk}/").content.decode()
    assert "Anémie à hématies falciformes sans crises" in page and "data-problems" in page
    problem = Problem.objects.get()
    client.post(f"{base}{problem.pk}/resolu/")
    resolved = Problem.objects.get(voided_at__isnull=True)
    assert resolved.status == ProblemStatus.RESOLVED
    client.post(f"{base}{resolved.pk}/annuler/", {"reason": "Erreur de saisie"})
    assert not Problem.objects.filter(voided_at__isnull=True).exists()
    response = client.post(base, {"icd10_code": "", "condition": ""}, follow=True)
    assert "Choisissez une affection" in response.content.decode()


def test_the_timeline_offers_a_diagnosis_for_the_list_in_one_click(users, adult, client):
    consultation = record_consultation(
        by=users.clinician1, person=adult, complaint="Crise", diagnoses=["G40.9"]
    )
    client.force_login(users.clinician1)
    diagnosis = consultation.diagnoses.get()
    action = f"/patients/{adult.pk}/diagnostics/{diagnosis.pk}/probleme/"
    assert action in client.get(f"/patients/{adult.pk}/").content.decode()
    assert client.post(action).status_code == 302
    assert [p.icd10_code for p in queries.problems_of(adult)] == ["G40.9"]
    page = client.get(f"/patients/{adult.pk}/").content.decode()
    assert action not in page and "sur la liste" in page


def test_the_consultation_form_puts_the_diagnoses_on_the_list(users, adult, client):
    client.force_login(users.clinician1)
    response = client.post(
        f"/patients/{adult.pk}/consultation/",
        {"complaint": "Suivi", "diagnoses": ["E11"], "add_to_problem_list": "on"},
    )
    assert response.status_code == 302
    assert [p.icd10_code for p in queries.problems_of(adult)] == ["E11"]
