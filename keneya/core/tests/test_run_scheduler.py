"""``run_scheduler`` with a frozen clock: escalation after 2 h, the 24 h referral check, the
outbox, and idempotence (a second run at the same moment changes nothing)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from keneya.alerts.models import Alert, AlertEvent
from keneya.interop.sms import ConsoleSmsGateway
from keneya.notifications.models import OutboxMessage, OutboxStatus
from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.referrals.models import ReferralEvent, ReferralStatus
from keneya.visits.services import record_home_visit
from keneya.worklist.queries import tasks_for_chw

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Africa/Bamako"))
MANAGER_PHONE = "+22376000001"


@pytest.fixture(autouse=True)
def _console_sms(settings):
    settings.SMS_GATEWAY = "console"
    ConsoleSmsGateway.clear()
    yield
    ConsoleSmsGateway.clear()


@pytest.fixture
def urgent_visit(users, household_factory, time_machine):
    """At T0, a CHW records convulsions: an urgent alert at CSCom 1 and a referral."""
    time_machine.move_to(T0, tick=False)
    users.manager1.phone = MANAGER_PHONE
    users.manager1.save(update_fields=["phone"])
    household = household_factory(users.chw1)
    child = add_member(
        by=users.chw1, household=household, data=person("Traoré", "Fanta", "F", date(2025, 1, 15))
    )
    visit = record_home_visit(
        by=users.chw1, person=child, kind="sick_child", visit_date=T0.date(), findings={"convulsions": True}
    )
    assert visit.alerts.get().priority == "urgent" and visit.referral.status == "issued"
    return visit


def run(*args: str) -> str:
    out = StringIO()
    call_command("run_scheduler", *args, stdout=out)
    return out.getvalue()


def test_an_urgent_alert_is_escalated_after_two_hours_and_not_before(urgent_visit, time_machine):
    alert = urgent_visit.alerts.get()
    time_machine.move_to(T0 + timedelta(hours=1, minutes=59), tick=False)
    assert "escalate_alerts : 0 alerte(s) escaladée(s)" in run("--once")
    alert.refresh_from_db()
    assert alert.escalated_at is None

    later = T0 + timedelta(hours=2, minutes=1)
    time_machine.move_to(later, tick=False)
    output = run("--once")
    assert "escalate_alerts : 1 alerte(s) escaladée(s)" in output
    alert.refresh_from_db()
    assert alert.escalated_at == later
    assert list(alert.events.values_list("kind", flat=True)) == ["raised", "escalated"]
    sms = OutboxMessage.objects.get(template="escalation")
    assert sms.recipient == MANAGER_PHONE
    assert sms.status == OutboxStatus.SENT  # the outbox job runs after the escalation
    assert [m.to for m in ConsoleSmsGateway.sent] == [MANAGER_PHONE]


def test_a_referral_not_arrived_after_24_hours_raises_the_follow_up_alert(urgent_visit, users, time_machine):
    referral = urgent_visit.referral
    time_machine.move_to(T0 + timedelta(hours=23, minutes=59), tick=False)
    assert "check_referrals : 0 référence(s)" in run("--once")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ISSUED

    time_machine.move_to(T0 + timedelta(hours=24, minutes=1), tick=False)
    assert "check_referrals : 1 référence(s) déclarée(s) non arrivée(s)" in run("--once")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NOT_ARRIVED
    follow_up = Alert.objects.get(referral=referral, rule="referral_not_arrived")
    assert follow_up.priority == "follow_up" and follow_up.facility == referral.to_facility
    # and the CHW now has to find the family
    tasks = tasks_for_chw(chw=users.chw1, on=(T0 + timedelta(days=1)).date())
    check = next(t for t in tasks if t.kind == "referral_check")
    assert check.title_fr == "Retrouver la famille : référence non honorée"


def _state() -> dict[str, object]:
    return {
        "alerts": sorted(Alert.objects.values_list("rule", "status", "escalated_at")),
        "alert_events": AlertEvent.objects.count(),
        "referrals": sorted(ReferralEvent.objects.values_list("kind", flat=True)),
        "outbox": sorted(OutboxMessage.objects.values_list("dedup_key", "status", "attempts")),
        "sms_sent": len(ConsoleSmsGateway.sent),
    }


def test_running_twice_changes_nothing_the_second_time(urgent_visit, time_machine):
    time_machine.move_to(T0 + timedelta(hours=25), tick=False)
    first = run("--once")
    assert "1 alerte(s) escaladée(s)" in first and "1 référence(s)" in first
    assert "1 SMS envoyé(s)" in first
    after_first = _state()
    second = run("--once")
    assert _state() == after_first
    assert second.splitlines() == [
        "escalate_alerts : 0 alerte(s) escaladée(s)",
        "check_referrals : 0 référence(s) déclarée(s) non arrivée(s)",
        "social_renewal_reminders : 0 rappel(s) de renouvellement",
        "financing_late_loans : 0 prêt(s) en retard",
        "refresh_indicators : Indicateurs : rien à recalculer.",
        "send_outbox : 0 SMS envoyé(s), 0 à réessayer, 0 en échec",
        "dhis2_retry_pushes : 0 envoi(s) DHIS2 traité(s), 0 à réessayer, 0 en échec",
    ]


def test_the_loop_runs_every_job_each_pass_and_stops_after_max_iterations(urgent_visit, time_machine):
    time_machine.move_to(T0 + timedelta(hours=3), tick=False)
    output = run("--interval", "0", "--max-iterations", "2")
    assert output.count("escalate_alerts :") == 2 and output.count("send_outbox :") == 2
    assert output.count("1 alerte(s) escaladée(s)") == 1
    assert output.strip().endswith("Planificateur : arrêt après 2 passage(s).")


def test_a_failing_job_does_not_stop_the_others(urgent_visit, settings, time_machine):
    settings.SMS_GATEWAY = "pigeon-voyageur"  # a configuration mistake: the outbox job fails
    time_machine.move_to(T0 + timedelta(hours=25), tick=False)
    out = StringIO()
    with pytest.raises(CommandError, match="Tâches en échec : send_outbox."):
        call_command("run_scheduler", "--once", stdout=out)
    assert "send_outbox : ÉCHEC" in out.getvalue()
    alert = urgent_visit.alerts.get()
    assert alert.escalated_at is not None
    assert OutboxMessage.objects.get(template="escalation").status == OutboxStatus.PENDING


@pytest.mark.parametrize("args", [("--interval", "-1"), ("--max-iterations", "0")])
def test_bad_options_are_refused(db, args):
    with pytest.raises(CommandError):
        run(*args)


def test_jobs_are_declared_by_the_apps_that_own_them():
    from keneya.core.periodic import periodic_jobs

    jobs = periodic_jobs()
    assert [job.name for job in jobs] == [
        "escalate_alerts",
        "check_referrals",
        "social_renewal_reminders",
        "financing_late_loans",
        "refresh_indicators",
        "send_outbox",
        "dhis2_retry_pushes",
    ]
    assert [job.run.__module__ for job in jobs] == [
        "keneya.alerts.jobs",
        "keneya.referrals.jobs",
        "keneya.social_protection.jobs",
        "keneya.financing.jobs",
        "keneya.indicators.jobs",
        "keneya.notifications.jobs",
        "keneya.interop.dhis2.jobs",
    ]
    assert all(job.every > timedelta(0) for job in jobs)


def test_a_job_registered_by_another_app_runs_in_its_order(db, monkeypatch):
    from keneya.core import periodic

    monkeypatch.setattr(periodic, "_JOBS", dict(periodic._JOBS))
    seen = []

    def toy(now):
        seen.append(now)
        return "1 jouet"

    periodic.register_periodic_job("toy_job", timedelta(seconds=30), toy, order=15)
    output = run("--once")
    assert len(seen) == 1
    names = [line.split(" :")[0] for line in output.splitlines()]
    assert names == [
        "escalate_alerts",
        "toy_job",
        "check_referrals",
        "social_renewal_reminders",
        "financing_late_loans",
        "refresh_indicators",
        "send_outbox",
        "dhis2_retry_pushes",
    ]
    assert "toy_job : 1 jouet" in output
