"""The flow: dry-run, conflicts stored against their cells, push, timeliness, retry, privacy."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from keneya.interop.dhis2 import sending, services
from keneya.interop.dhis2.models import Push, PushConflict, PushStatus
from keneya.interop.dhis2.tasks import push_to_dhis2
from keneya.interop.dhis2.tests import fake_server as fk
from keneya.interop.dhis2.tests.conftest import PERIOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(dhis2_settings, mapped, month_values):
    return month_values


def request(users, *, dry_run, capture, **kwargs):
    with capture(execute=True):
        push = services.request_push(by=users.me, period=PERIOD, dry_run=dry_run, **kwargs)
    push.refresh_from_db()
    return push


def test_a_dry_run_goes_through_the_worker_and_stores_the_summary(
    users, ready, fake, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        push = services.request_push(by=users.me, period=PERIOD, dry_run=True)
    assert push.status == PushStatus.QUEUED and not fake.imports()  # nothing sent from the request
    assert len(callbacks) == 1

    callbacks[0]()
    push.refresh_from_db()

    assert push.status == PushStatus.SUCCESS
    assert (push.imported, push.updated, push.ignored) == (5, 0, 0)
    assert push.finished_at is not None and push.on_time is None  # a dry run is no report
    [sent] = fake.imports()
    assert sent.query["dryRun"] == "true"
    assert fake.stored == {}
    assert len(push.unmapped) == 2


def test_conflicts_are_stored_against_their_indicator_cell_and_facility(
    users, ready, fake, django_capture_on_commit_callbacks
):
    fake.metadata["dataElements"][1]["id"] = (
        "deRenamed01"  # DHIS2 no longer knows children_followed's element
    )
    fake.metadata["categoryOptionCombos"] = [
        c for c in fake.metadata["categoryOptionCombos"] if c["code"] != "M"
    ]

    push = request(users, dry_run=True, capture=django_capture_on_commit_callbacks)

    assert push.status == PushStatus.WARNING
    conflicts = {(c.indicator, c.facility, c.cell.get("sex", ""), c.error_code) for c in push.conflicts.all()}
    assert conflicts == {
        ("children_followed", "ASACOLA", "", "E7610"),
        ("home_visits", "ASACOLA", "M", "E7613"),
        ("home_visits", "ASACOHAM", "M", "E7613"),
    }
    unknown = push.conflicts.get(error_code="E7610")
    assert unknown.indicator_name == "Enfants de 0-59 mois suivis"
    assert "correspondance" in unknown.advice and unknown.object == fk.DE_CHILDREN


def test_a_closed_period_conflict_says_to_ask_for_reopening(
    users, ready, fake, django_capture_on_commit_callbacks
):
    fake.locked_periods.add("202603")

    push = request(users, dry_run=True, capture=django_capture_on_commit_callbacks)

    assert push.status == PushStatus.ERROR
    assert push.conflicts.count() == 5
    assert all("réouverture" in c.advice for c in push.conflicts.all())


def test_an_old_server_without_indexes_is_matched_by_object(
    users, ready, fake, django_capture_on_commit_callbacks
):
    fake.version = "2.36.4"
    fake.metadata["organisationUnits"] = [
        o for o in fake.metadata["organisationUnits"] if o["id"] != fk.OU_ASACOHAM
    ]

    push = request(users, dry_run=True, capture=django_capture_on_commit_callbacks)

    rows = list(push.conflicts.all())
    assert {(c.facility, c.indicator, c.property) for c in rows} == {
        ("ASACOHAM", "home_visits", "orgUnit"),
    }
    assert len(rows) == 2  # one conflict, shown against each value sent to that org unit


def test_a_push_needs_a_dry_run_of_the_same_values(users, ready, fake, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError, match="essai à blanc"):
        services.request_push(by=users.me, period=PERIOD, dry_run=False)

    request(users, dry_run=True, capture=django_capture_on_commit_callbacks)
    ready.rows[0]["value"] = 99  # a late visit changed the figure

    with pytest.raises(ValidationError, match="ont changé"):
        services.request_push(by=users.me, period=PERIOD, dry_run=False)


def test_a_push_after_a_dry_run_with_conflicts_needs_the_officers_consent(
    users, ready, fake, django_capture_on_commit_callbacks
):
    fake.metadata["dataElements"][1]["id"] = "deRenamed01"
    request(users, dry_run=True, capture=django_capture_on_commit_callbacks)

    with pytest.raises(ValidationError, match="conflits"):
        services.request_push(by=users.me, period=PERIOD, dry_run=False)
    push = request(users, dry_run=False, capture=django_capture_on_commit_callbacks, accept_conflicts=True)

    assert push.status == PushStatus.WARNING
    assert (push.imported, push.ignored) == (4, 1)


def test_a_push_is_recorded_with_its_time_and_timeliness(
    users, ready, fake, django_capture_on_commit_callbacks, settings
):
    settings.DHIS2_DEADLINE_DAY = 10
    with time_machine.travel(datetime(2026, 4, 9, 10, 0, tzinfo=UTC), tick=False):
        request(users, dry_run=True, capture=django_capture_on_commit_callbacks)
        push = request(users, dry_run=False, capture=django_capture_on_commit_callbacks)

    assert push.status == PushStatus.SUCCESS
    assert push.finished_at == datetime(2026, 4, 9, 10, 0, tzinfo=UTC)
    assert push.deadline.isoformat() == "2026-04-10"
    assert push.on_time is True
    assert len(fake.stored) == 5
    assert fake.imports()[-1].query["dryRun"] == "false"


def test_a_push_after_the_deadline_is_late(users, ready, fake, django_capture_on_commit_callbacks, settings):
    settings.DHIS2_DEADLINE_DAY = 5
    with time_machine.travel(datetime(2026, 4, 6, 9, 0, tzinfo=UTC), tick=False):
        request(users, dry_run=True, capture=django_capture_on_commit_callbacks)
        push = request(users, dry_run=False, capture=django_capture_on_commit_callbacks)

    assert push.on_time is False


@pytest.mark.parametrize(
    ("period", "day", "deadline"), [("2026-01", 31, "2026-02-28"), ("2026-12", 10, "2027-01-10")]
)
def test_the_deadline_is_a_day_of_the_next_month(settings, period, day, deadline):
    settings.DHIS2_DEADLINE_DAY = day
    assert services.deadline_for(period).isoformat() == deadline


def test_a_server_error_is_retried_with_backoff_then_succeeds(
    users, ready, fake, django_capture_on_commit_callbacks
):
    fake.queue(500, "<html>Internal Server Error</html>")
    fake.queue(503, "<html>Service Unavailable</html>")
    start = timezone.now()

    push = request(users, dry_run=True, capture=django_capture_on_commit_callbacks)
    assert push.status == PushStatus.RETRY and push.attempts == 1
    assert push.next_attempt_at - start >= timedelta(seconds=60)
    assert "HTTP 500" in push.last_error

    assert sending.run_due_pushes(now=start) == {"sent": 0, "retry": 0, "failed": 0}  # not yet due
    sending.run_due_pushes(now=push.next_attempt_at)
    push.refresh_from_db()
    assert push.status == PushStatus.RETRY and push.attempts == 2
    assert push.next_attempt_at - start >= timedelta(seconds=60 + 120)  # doubled

    sending.run_due_pushes(now=push.next_attempt_at)
    push.refresh_from_db()
    assert push.status == PushStatus.SUCCESS and push.attempts == 3
    assert push.last_error == ""
    assert len(fake.imports()) == 3


def test_retries_are_bounded(users, ready, fake, django_capture_on_commit_callbacks, settings):
    settings.DHIS2_MAX_ATTEMPTS = 2
    for _ in range(3):
        fake.queue(502, "Bad gateway")

    push = request(users, dry_run=True, capture=django_capture_on_commit_callbacks)
    sending.run_due_pushes(now=push.next_attempt_at)
    push.refresh_from_db()

    assert push.status == PushStatus.FAILED and push.attempts == 2
    assert push.finished_at is not None
    assert len(fake.imports()) == 2


def test_refused_credentials_fail_at_once(users, ready, fake, django_capture_on_commit_callbacks, settings):
    settings.DHIS2_PASSWORD = "wrong"

    push = request(users, dry_run=True, capture=django_capture_on_commit_callbacks)

    assert push.status == PushStatus.FAILED and push.attempts == 1
    assert "Identifiants DHIS2 refusés" in push.last_error


def test_a_retry_is_scheduled_on_the_database_backend(users, ready, fake, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    fake.queue(500, "oops")
    push = services.request_push(by=users.me, period=PERIOD, dry_run=True)

    push_to_dhis2.call(str(push.pk))

    push.refresh_from_db()
    [scheduled] = DBTaskResult.objects.filter(task_path=push_to_dhis2.module_path)
    assert scheduled.run_after == push.next_attempt_at


def test_a_push_lost_by_its_worker_is_run_again(users, ready, fake):
    push = services.request_push(by=users.me, period=PERIOD, dry_run=True)  # callbacks not run: lost wake-up
    Push.objects.filter(pk=push.pk).update(
        status=PushStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1)
    )

    sending.run_due_pushes()

    push.refresh_from_db()
    assert push.status == PushStatus.SUCCESS


def test_a_claimed_push_is_not_sent_twice(users, ready, fake, django_capture_on_commit_callbacks):
    push = request(users, dry_run=True, capture=django_capture_on_commit_callbacks)

    assert sending.run_push(push.pk) is None
    assert len(fake.imports()) == 1


def test_only_the_reports_capability_may_push(users, ready):
    with pytest.raises(PermissionDenied):
        services.request_push(by=users.clinician1, period=PERIOD, dry_run=True)


def test_no_push_without_configuration_or_values(users, ready, settings, month_values):
    settings.DHIS2_URL = ""
    with pytest.raises(ValidationError, match="pas configuré"):
        services.request_push(by=users.me, period=PERIOD, dry_run=True)
    settings.DHIS2_URL = "http://127.0.0.1:9"
    month_values.rows = []
    with pytest.raises(ValidationError, match="Aucune valeur"):
        services.request_push(by=users.me, period=PERIOD, dry_run=True)
    with pytest.raises(ValidationError, match="pas encore commencé"):
        services.request_push(by=users.me, period="2999-01", dry_run=True)


def test_logs_carry_no_secret_and_no_value(
    users, ready, fake, django_capture_on_commit_callbacks, caplog, capfd, settings
):
    settings.DHIS2_TOKEN = fk.TOKEN
    fake.metadata["dataElements"][1]["id"] = "deRenamed01"
    fake.queue(500, "oops")
    caplog.set_level(logging.DEBUG)

    push = request(users, dry_run=True, capture=django_capture_on_commit_callbacks)
    sending.run_due_pushes(now=push.next_attempt_at)

    out, err = capfd.readouterr()
    logged = caplog.text + out + err
    assert str(push.pk) in caplog.text
    for secret in (fk.PASSWORD, fk.TOKEN, "Enfants de 0-59", "ASACOLA"):
        assert secret not in logged
    assert PushConflict.objects.filter(push=push).exists()


def test_two_pushes_of_a_month_cannot_be_in_flight(users, ready, fake, django_capture_on_commit_callbacks):
    request(users, dry_run=True, capture=django_capture_on_commit_callbacks)
    services.request_push(by=users.me, period=PERIOD, dry_run=False)  # queued, worker not run

    with pytest.raises(ValidationError, match="déjà en cours"):
        services.request_push(by=users.me, period=PERIOD, dry_run=False)
    # Even past the service's check (two requests at once), the database refuses the second.
    first = Push.objects.get(dry_run=False)
    with pytest.raises(IntegrityError):
        Push.objects.create(**{f.name: getattr(first, f.name) for f in Push._meta.fields if f.name != "id"})


def test_the_data_set_is_marked_complete_after_an_accepted_push_when_configured(
    users, ready, fake, django_capture_on_commit_callbacks, settings
):
    settings.DHIS2_COMPLETE_DATA_SET = True
    request(users, dry_run=True, capture=django_capture_on_commit_callbacks)
    assert not fake.completed  # never for a dry run

    push = request(users, dry_run=False, capture=django_capture_on_commit_callbacks)

    assert fake.completed == {(fk.DATA_SET, "202603", fk.OU_ASACOLA), (fk.DATA_SET, "202603", fk.OU_ASACOHAM)}
    assert push.completion == "2 / 2 structure(s)"


def test_a_refused_completion_is_recorded_and_keeps_the_push(
    users, ready, fake, django_capture_on_commit_callbacks, settings
):
    settings.DHIS2_COMPLETE_DATA_SET = True
    request(users, dry_run=True, capture=django_capture_on_commit_callbacks)
    fake.metadata["dataSets"] = []  # the data set was removed meanwhile

    push = request(users, dry_run=False, capture=django_capture_on_commit_callbacks)

    assert push.status == PushStatus.SUCCESS
    assert push.completion.startswith("0 / 2 structure(s) ; Data set not found")
    assert not fake.completed


def test_without_the_setting_no_completion_is_registered(
    users, ready, fake, django_capture_on_commit_callbacks
):
    request(users, dry_run=True, capture=django_capture_on_commit_callbacks)
    push = request(users, dry_run=False, capture=django_capture_on_commit_callbacks)

    assert push.completion == "" and not fake.completed
