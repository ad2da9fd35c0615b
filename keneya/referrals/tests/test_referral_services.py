"""Referral lifecycle and time to care."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from keneya.alerts.models import Alert
from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.records.services import record_consultation
from keneya.referrals import services
from keneya.referrals.models import Referral, ReferralStatus
from keneya.visits.services import record_home_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(users, household_factory):
    household = household_factory(users.chw1)
    child = add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Issa", "M", timezone.localdate() - timedelta(days=300)),
    )
    visit = record_home_visit(
        by=users.chw1,
        person=child,
        visit_date=timezone.localdate(),
        kind="sick_child",
        findings={"not_able_to_drink_or_feed": True},
    )
    return visit.referral


def test_urgent_visit_issues_a_referral_with_the_reason_in_french(referral, district):
    assert referral.status == ReferralStatus.ISSUED
    assert referral.to_facility == district.cscom1
    assert referral.urgent and referral.reason
    assert referral.findings == ["not_able_to_drink_or_feed"]


def test_consultation_marks_seen_and_stores_time_to_care(users, referral):
    seen_at = referral.issued_at + timedelta(hours=5)
    record_consultation(
        by=users.clinician1,
        person=referral.person,
        complaint="Ne boit plus",
        consulted_at=min(seen_at, timezone.now()),
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SEEN
    assert referral.time_to_care is not None and referral.within_target


def test_counter_referral_needs_a_seen_patient_and_a_note(users, referral):
    with pytest.raises(ValidationError):
        services.counter_refer(by=users.clinician1, referral=referral, note="Revu")
    services.mark_arrived(by=users.clinician1, referral=referral)
    with pytest.raises(ValidationError):
        services.counter_refer(by=users.clinician1, referral=referral, note="  ")
    services.counter_refer(
        by=users.clinician1, referral=referral, note="Amoxicilline 5 jours, revoir dans 3 jours"
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COUNTER_REFERRED
    services.close_referral(by=users.clinician1, referral=referral)
    assert referral.status == ReferralStatus.CLOSED
    assert [e.kind for e in referral.events.all()] == ["issued", "arrived", "counter_referred", "closed"]


def test_no_arrival_after_24_hours_gives_a_follow_up_alert(referral):
    assert services.check_overdue_referrals(now=referral.issued_at + timedelta(hours=23)) == 0
    later = referral.issued_at + timedelta(hours=25)
    assert services.check_overdue_referrals(now=later) == 1
    assert services.check_overdue_referrals(now=later) == 0
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NOT_ARRIVED
    alert = Alert.objects.get(referral=referral, rule="referral_not_arrived")
    assert alert.priority == "follow_up"


def test_open_referral_cannot_be_closed_without_an_outcome(users, referral):
    with pytest.raises(ValidationError):
        services.close_referral(by=users.clinician1, referral=referral)


def test_cscom_clinician_refers_to_the_csref_which_then_sees_the_patient(users, district, referral):
    csref_referral = services.refer_to_csref(
        by=users.clinician1, person=referral.person, reason="Pneumonie sévère, besoin d'oxygène", urgent=True
    )
    assert csref_referral.to_facility == district.csref
    from keneya.people.scope import persons_visible_to

    assert persons_visible_to(users.specialist).filter(pk=referral.person.pk).exists()
    with pytest.raises(PermissionDenied):
        services.refer_to_csref(by=users.clinician2, person=referral.person, reason="x")
    assert Referral.objects.count() == 2
