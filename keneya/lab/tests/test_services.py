"""Requests, results and corrections, as the laboratory and the clinician would notice them."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from keneya.alerts.models import Alert
from keneya.alerts.queries import inbox
from keneya.core.errors import IdTaken
from keneya.lab import services
from keneya.lab.models import LabOrder, LabResult

pytestmark = pytest.mark.django_db


def test_a_clinician_requests_tests_for_the_labs_of_their_cscom(users, woman, district):
    order, created = services.request_tests(
        by=users.clinician1, person=woman, tests=["hb", "hb", "malaria_rdt"]
    )
    assert created and order.facility == district.cscom1 and not order.walk_in
    assert [t.test for t in order.tests.all()] == ["hb", "malaria_rdt"]
    assert order.events.get().kind == "requested"


def test_the_same_id_again_is_the_same_request_and_elsewhere_it_is_taken(users, woman, labtech2):
    oid = uuid.uuid4()
    first, created = services.request_tests(by=users.clinician1, id=oid, person=woman, tests=["hb"])
    again, created_again = services.request_tests(by=users.clinician1, id=oid, person=woman, tests=["hb"])
    assert created and not created_again and first == again and LabOrder.objects.count() == 1
    with pytest.raises(IdTaken):
        services.request_tests(by=users.clinician2, id=oid, person=woman, tests=["hb"])
    with pytest.raises(IdTaken):
        services.request_tests(by=labtech2, id=oid, person=woman, tests=["hb"])


def test_a_person_outside_the_scope_cannot_be_requested_for(users, woman):
    with pytest.raises(PermissionDenied):
        services.request_tests(by=users.clinician2, person=woman, tests=["hb"])
    with pytest.raises(PermissionDenied):
        services.request_tests(by=users.chw1, person=woman, tests=["hb"])


@pytest.mark.parametrize(
    ("tests", "message"),
    [([], "Choisissez au moins un examen."), (["hb", "xyz"], "Examen inconnu : xyz.")],
)
def test_bad_test_lists_are_refused_in_french(users, woman, tests, message):
    with pytest.raises(ValidationError) as error:
        services.request_tests(by=users.clinician1, person=woman, tests=tests)
    assert error.value.message_dict == {"tests": [message]}


def test_the_laboratory_registers_a_walk_in_of_its_area_only(labtech1, labtech2, woman):
    order, _ = services.request_tests(by=labtech1, person=woman, tests=["malaria_rdt"])
    assert order.walk_in
    with pytest.raises(PermissionDenied):
        services.request_tests(by=labtech2, person=woman, tests=["malaria_rdt"])


def test_a_result_is_interpreted_at_once_and_completes_the_request(labtech1, order_hb):
    results = services.record_results(
        by=labtech1, order=order_hb, results=[("hb", "10,5"), ("glycemia", "0.95")]
    )
    hb, glyc = results
    assert (hb.value, hb.interpretation, hb.abnormal, hb.critical) == ("10.5", "low", True, False)
    assert hb.reference == "12,0 – 15,5 g/dL" and "WHO_HB_2024" in hb.source
    assert glyc.interpretation == "normal" and not glyc.abnormal
    order_hb.refresh_from_db()
    assert order_hb.status == "completed" and not Alert.objects.exists()


def test_a_critical_hb_raises_an_urgent_alert_in_the_requesters_cscom_inbox(users, labtech1, order_hb):
    (hb,) = services.record_results(by=labtech1, order=order_hb, results=[("hb", "6.2")])
    assert hb.interpretation == "critical_low" and hb.critical
    alert = Alert.objects.get()
    assert alert.priority == "urgent" and alert.facility == order_hb.facility
    assert alert.title == "Résultat de laboratoire critique"
    assert alert.findings[0] == "Hémoglobine : 6,2 g/dL (critique (bas))"
    assert alert.findings[1].startswith("Seuil critique : Hb < 7,0 g/dL (WHO_HB_2011")
    assert alert.subject == f"lab_result:{hb.pk}"
    assert list(inbox(user=users.clinician1)) == [alert]
    assert not inbox(user=users.clinician2).exists()


def test_a_critical_glycaemia_limit_cited(labtech1, order_hb):
    services.record_results(by=labtech1, order=order_hb, results=[("glycemia", "3.2")])
    alert = Alert.objects.get()
    assert alert.findings[1].startswith("Seuil critique : Glycémie > 3,0 g/L (CRIT_GLUCOSE_HIGH")


def test_sending_the_same_results_twice_changes_nothing(labtech1, order_hb):
    first = services.record_results(by=labtech1, order=order_hb, results=[("hb", "6.2")])
    again = services.record_results(by=labtech1, order=order_hb, results=[("hb", "6,2")])
    assert first == again and LabResult.objects.count() == 1 and Alert.objects.count() == 1


def test_another_value_for_an_entered_test_must_be_a_correction(labtech1, order_hb):
    services.record_results(by=labtech1, order=order_hb, results=[("hb", "11.0")])
    with pytest.raises(ValidationError) as error:
        services.record_results(by=labtech1, order=order_hb, results=[("hb", "12.0")])
    assert "corrigez-le avec un motif" in error.value.message_dict["results"][0]


def test_bad_lines_save_nothing_and_say_which_line(labtech1, order_hb):
    with pytest.raises(ValidationError) as error:
        services.record_results(
            by=labtech1,
            order=order_hb,
            results=[("hb", "11"), ("glycemia", "abc"), ("malaria_rdt", "positive")],
        )
    messages = error.value.message_dict["results"]
    assert messages[0].startswith("Ligne 2 : Glycémie : Saisissez un nombre")
    assert messages[1] == "Ligne 3 : TDR palu n'a pas été demandé."
    assert not LabResult.objects.exists()


def test_another_laboratory_cannot_enter_results(labtech2, users, order_hb):
    for who in (labtech2, users.clinician1):
        with pytest.raises(PermissionDenied):
            services.record_results(by=who, order=order_hb, results=[("hb", "11")])


def test_void_and_replace_keeps_the_first_value(labtech1, order_hb):
    (first,) = services.record_results(by=labtech1, order=order_hb, results=[("hb", "6.2")])
    with pytest.raises(ValidationError) as error:
        services.correct_result(by=labtech1, result=first, value="12.2", reason="")
    assert error.value.message_dict == {"reason": ["Donnez le motif de la correction."]}
    second = services.correct_result(
        by=labtech1, result=first, value="12.2", reason="Erreur de saisie (6 pour 12)"
    )
    first.refresh_from_db()
    assert first.value == "6.2" and first.voided_at is not None and first.void_reason.startswith("Erreur")
    assert second.replaces == first and second.interpretation == "normal" and second.voided_at is None
    assert order_hb.events.filter(kind="corrected").get().data["old"] == "6.2"
    assert LabResult.objects.filter(order=order_hb, test="hb").count() == 2
    with pytest.raises(ValidationError):
        services.correct_result(by=labtech1, result=first, value="13", reason="encore")


def test_a_critical_correction_raises_its_own_alert(labtech1, order_hb):
    (first,) = services.record_results(by=labtech1, order=order_hb, results=[("hb", "12.2")])
    services.correct_result(by=labtech1, result=first, value="5.9", reason="Mauvais patient")
    assert Alert.objects.get().findings[0].startswith("Hémoglobine : 5,9 g/dL")


def test_hiv_follows_the_national_algorithm(users, labtech1, woman):
    order, _ = services.request_tests(by=users.clinician1, person=woman, tests=["hiv_rdt1"])
    services.record_results(by=labtech1, order=order, results=[("hiv_rdt1", "réactif")])
    order.refresh_from_db()
    assert [t.test for t in order.tests.all()] == ["hiv_rdt1", "hiv_rdt2"] and order.status == "pending"
    services.record_results(
        by=labtech1, order=order, results=[("hiv_rdt2", "positive"), ("hiv_rdt3", "positive")]
    )
    order.refresh_from_db()
    assert [t.test for t in order.tests.all()] == ["hiv_rdt1", "hiv_rdt2", "hiv_rdt3"]
    assert order.status == "completed"


def test_a_non_reactive_first_hiv_test_ends_the_algorithm(users, labtech1, woman):
    order, _ = services.request_tests(by=users.clinician1, person=woman, tests=["hiv_rdt1"])
    services.record_results(by=labtech1, order=order, results=[("hiv_rdt1", "negative")])
    order.refresh_from_db()
    assert order.status == "completed" and order.tests.count() == 1


def test_pregnancy_uses_the_pregnant_range(users, labtech1, woman, household):
    order, _ = services.request_tests(by=users.clinician1, person=woman, tests=["hb"], pregnant=True)
    (hb,) = services.record_results(by=labtech1, order=order, results=[("hb", "11.5")])
    assert hb.interpretation == "normal"
    child = household.members.exclude(pk=woman.pk).get()
    with pytest.raises(ValidationError):
        services.request_tests(by=users.clinician1, person=child, tests=["hb"], pregnant=True)
