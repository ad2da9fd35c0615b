"""Recording a set of visits at once (a tablet's batch): each visit gets its outcome, the set is
written whole or not at all, and it raises what the same visits one by one would raise."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from keneya.alerts.models import Alert
from keneya.core.errors import IdTaken
from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.referrals.models import Referral
from keneya.sync.models import ChangeLog
from keneya.visits.hooks import visits_stored
from keneya.visits.models import Observation, Visit
from keneya.visits.services import VisitData, record_home_visit, record_home_visits

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_zone_child(users, household_factory, district):
    household = household_factory(users.chw2, quartier=district.q2a)
    return add_member(
        by=users.chw2,
        household=household,
        data=person("Diarra", "Awa", "F", timezone.localdate() - timedelta(days=400)),
    )


def data(child, days_ago=0, **kwargs):
    kwargs.setdefault("kind", "child_followup")
    kwargs.setdefault("id", uuid.uuid4())
    return VisitData(person=child, visit_date=timezone.localdate() - timedelta(days=days_ago), **kwargs)


def test_each_visit_of_a_set_gets_its_own_outcome(users, toddler, other_zone_child):
    stored = record_home_visit(
        by=users.chw1,
        person=toddler,
        kind="child_followup",
        visit_date=timezone.localdate() - timedelta(days=3),
        id=uuid.uuid4(),
    )
    future = timezone.localdate() + timedelta(days=2)
    outcomes = record_home_visits(
        by=users.chw1,
        visits=[
            data(toddler, measurements={"weight_kg": 10.5, "muac_mm": 140}),
            VisitData(person=toddler, visit_date=future, kind="child_followup", id=uuid.uuid4()),
            data(other_zone_child),
            data(toddler, days_ago=3, id=stored.pk),
            data(toddler, kind="sick_child", findings={"chest_indrawing": True}),
        ],
    )
    new, bad, forbidden, resent, urgent = outcomes
    assert new.recorded is not None and new.recorded.created and new.recorded.version
    assert isinstance(bad.error, ValidationError)
    assert bad.error.message_dict == {"visit_date": ["La date de la visite ne peut pas être dans le futur."]}
    assert isinstance(forbidden.error, PermissionDenied)
    assert resent.recorded is not None and not resent.recorded.created
    assert resent.recorded.visit.pk == stored.pk
    assert urgent.recorded is not None and urgent.recorded.visit.urgent
    # Only the two new visits were written, each with its observations and change-log row.
    assert Visit.objects.count() == 3
    assert set(Observation.objects.filter(visit=new.recorded.visit).values_list("code", flat=True)) == {
        "weight_kg",
        "muac_mm",
    }
    assert (
        ChangeLog.objects.filter(type="visit", object_id=new.recorded.visit.pk, chw=users.chw1).count() == 1
    )
    alert = Alert.objects.get(visit=urgent.recorded.visit)
    assert alert.priority == "urgent" and alert.referral == Referral.objects.get()


def test_the_same_id_twice_in_a_set_is_stored_once_and_not_for_someone_else(
    users, toddler, household_factory
):
    sibling = add_member(
        by=users.chw1,
        household=toddler.household,
        data=person("Traoré", "Mariam", "F", timezone.localdate() - timedelta(days=300)),
    )
    visit_id = uuid.uuid4()
    first, again, other = record_home_visits(
        by=users.chw1,
        visits=[data(toddler, id=visit_id), data(toddler, id=visit_id), data(sibling, id=visit_id)],
    )
    assert first.recorded is not None and first.recorded.created
    assert again.recorded is not None and not again.recorded.created
    assert again.recorded.version == first.recorded.version
    assert isinstance(other.error, IdTaken)  # a ValidationError keyed by id, saying nothing more
    assert other.error.message_dict == {"id": ["Cet identifiant est déjà utilisé."]}
    assert Visit.objects.count() == 1


def test_a_set_that_fails_halfway_leaves_nothing(users, toddler, monkeypatch):
    def lost_connection(checks):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(visits_stored, "_receivers", [lost_connection])  # the alerts' receiver
    with pytest.raises(RuntimeError):
        record_home_visits(
            by=users.chw1, visits=[data(toddler, measurements={"weight_kg": 10.5}), data(toddler, days_ago=1)]
        )
    assert not Visit.objects.exists()
    assert not Observation.objects.exists()
    assert not ChangeLog.objects.filter(type="visit").exists()


def test_monthly_weighings_sent_together_are_growth_faltering(users, toddler):
    """A tablet back after two months sends three flat weighings at once: the alert is the same
    as if they had come one a month."""
    outcomes = record_home_visits(
        by=users.chw1,
        visits=[
            data(toddler, days_ago=60, measurements={"weight_kg": 10.0}),
            data(toddler, days_ago=30, measurements={"weight_kg": 9.9}),
            data(toddler, days_ago=0, measurements={"weight_kg": 9.9}),
        ],
    )
    last = outcomes[2].recorded
    assert last is not None
    alert = Alert.objects.get()
    assert (alert.visit_id, alert.rule, alert.priority) == (last.visit.pk, "growth_faltering", "routine")
    assert alert.findings == ["poids 10 → 9.9 → 9.9 kg"]


def test_a_user_who_may_not_record_visits_gets_every_visit_refused(users, toddler):
    outcomes = record_home_visits(by=users.me, visits=[data(toddler), data(toddler)])
    assert all(isinstance(o.error, PermissionDenied) for o in outcomes)
    assert not Visit.objects.exists()
