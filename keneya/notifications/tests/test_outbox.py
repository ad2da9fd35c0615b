"""The outbox: enqueue in the caller's transaction, send once, retry with back-off, give up."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from keneya.interop.sms import ConsoleSmsGateway, GatewayError, SendResult, SmsGateway
from keneya.notifications import sending, services
from keneya.notifications.models import OutboxMessage, OutboxStatus
from keneya.notifications.tasks import send_outbox

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
ALERT = {
    "child": "Aminata Traoré",
    "age": "14 mois",
    "reason": "convulsions",
    "chw": "Fatoumata Diarra",
    "chw_phone": "+22376123456",
}
T0 = datetime(2026, 3, 12, 8, 0, tzinfo=timezone.get_fixed_timezone(0))


# --- Test doubles for the outside world (the SMS provider) ---------------------------------------
class ScriptedGateway(SmsGateway):
    """Answers each send with the next scripted outcome: a GatewayError to raise, or success."""

    def __init__(self, *outcomes: GatewayError | None) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[tuple[str, str]] = []

    def send(self, to: str, body: str) -> SendResult:
        self.calls.append((to, body))
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return SendResult(provider_id=f"prov-{len(self.calls)}", status="Success", cost="XOF 25")


class ProviderDownGateway(SmsGateway):
    """Used through the SMS_GATEWAY setting: every send fails in a retryable way."""

    def send(self, to: str, body: str) -> SendResult:
        raise GatewayError("HTTP 503", retryable=True, code="http 503")


def down() -> GatewayError:
    return GatewayError("HTTP 503", retryable=True, code="http 503")


@pytest.fixture(autouse=True)
def _console_and_immediate_tasks(settings) -> Iterator[None]:
    settings.SMS_GATEWAY = "console"
    settings.TASKS = IMMEDIATE
    ConsoleSmsGateway.clear()
    yield
    ConsoleSmsGateway.clear()


def enqueue_alert(key: str = "alert:1:clinician:7", to: str = "76 12 34 56") -> OutboxMessage:
    return services.enqueue_sms(to=to, template="urgent_alert", context=ALERT, dedup_key=key)


# --- Enqueue ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_enqueue_stores_the_french_text_and_the_normalised_number():
    message = enqueue_alert()

    assert message.recipient == "+22376123456"
    assert message.status == OutboxStatus.PENDING
    assert message.body == (
        "Kènèya URGENT : Aminata Traoré (14 mois) - convulsions. Relais Fatoumata Diarra +22376123456."
    )
    assert message.context == ALERT
    assert message.attempts == 0


@pytest.mark.django_db
def test_enqueuing_the_same_dedup_key_twice_creates_one_row():
    first = enqueue_alert()
    again = enqueue_alert()

    assert again.pk == first.pk
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_unknown_template_is_refused():
    with pytest.raises(ValueError, match="Unknown SMS template"):
        services.enqueue_sms(to="76123456", template="nope", context={}, dedup_key="k")


@pytest.mark.django_db
def test_missing_template_field_is_refused():
    with pytest.raises(ValueError, match="reason"):
        services.enqueue_sms(
            to="76123456",
            template="urgent_alert",
            context={"child": "A", "age": "1 an", "chw": "B", "chw_phone": "1"},
            dedup_key="k",
        )


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["", "12345", "+33612345678"])
def test_a_number_that_is_not_malian_is_kept_as_refused_without_failing_the_caller(
    number, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        message = enqueue_alert(to=number)

    assert message.status == OutboxStatus.FAILED
    assert message.last_error.startswith("invalid recipient number")
    assert callbacks == []  # the worker is not even woken
    gateway = ScriptedGateway()
    sending.send_pending(now=timezone.now(), gateway=gateway)
    assert gateway.calls == []
    with pytest.raises(ValidationError):
        services.requeue_message(message=message)


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_when_the_callers_transaction_rolls_back():
    class VisitFailed(Exception):
        pass

    with pytest.raises(VisitFailed), transaction.atomic():
        enqueue_alert()
        raise VisitFailed

    assert not OutboxMessage.objects.exists()
    assert list(ConsoleSmsGateway.sent) == []


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_after_the_callers_transaction_commits():
    with transaction.atomic():
        message = enqueue_alert()
        assert list(ConsoleSmsGateway.sent) == []  # not before the commit

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.provider_message_id.startswith("console-")
    [sms] = ConsoleSmsGateway.sent
    assert sms.to == "+22376123456" and sms.body == message.body


@pytest.mark.django_db
def test_enqueuing_the_same_message_again_does_not_wake_the_worker(django_capture_on_commit_callbacks):
    enqueue_alert()
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue_alert()

    assert callbacks == []


# --- Sending ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_send_pending_sends_and_marks_the_message_with_the_provider_id():
    message = enqueue_alert()
    gateway = ScriptedGateway()
    now = timezone.now()

    report = sending.send_pending(now=now, gateway=gateway)

    message.refresh_from_db()
    assert (report.claimed, report.sent) == (1, 1)
    assert message.status == OutboxStatus.SENT
    assert message.provider_message_id == "prov-1"
    assert message.cost == "XOF 25"
    assert message.attempts == 1
    assert message.sent_at == now
    assert gateway.calls == [("+22376123456", message.body)]


@pytest.mark.django_db
def test_a_sent_message_is_never_sent_again():
    message = enqueue_alert()
    gateway = ScriptedGateway()
    sending.send_pending(now=timezone.now(), gateway=gateway)
    # Even if its due time says otherwise, a sent row is never claimed again.
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=T0)

    again = sending.send_pending(now=timezone.now() + timedelta(days=1), gateway=gateway)

    assert again.claimed == 0
    assert len(gateway.calls) == 1


@pytest.mark.django_db
def test_a_message_being_sent_by_another_worker_is_left_alone():
    message = enqueue_alert()
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.SENDING, claimed_at=now)
    gateway = ScriptedGateway()

    report = sending.send_pending(now=now + timedelta(minutes=1), gateway=gateway)

    assert report.claimed == 0 and gateway.calls == []
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENDING


@pytest.mark.django_db
def test_a_send_interrupted_by_a_dead_worker_is_given_up_not_resent():
    message = enqueue_alert()
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING, claimed_at=now - timedelta(hours=1), attempts=1
    )
    gateway = ScriptedGateway()

    report = sending.send_pending(now=now, gateway=gateway)

    message.refresh_from_db()
    assert report.interrupted == 1 and gateway.calls == []
    assert message.status == OutboxStatus.DEAD
    assert "delivery unknown" in message.last_error


@pytest.mark.django_db
def test_a_retryable_failure_schedules_a_retry_with_exponential_back_off(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    message = enqueue_alert()
    now = timezone.now()
    gateway = ScriptedGateway(down(), down(), down())

    expected_waits = [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    for attempt, wait in enumerate(expected_waits, start=1):
        report = sending.send_pending(now=now, gateway=gateway)
        message.refresh_from_db()
        assert report.retried == 1
        assert message.status == OutboxStatus.PENDING
        assert message.attempts == attempt
        assert message.next_attempt_at == now + wait
        assert message.last_error == "HTTP 503"
        # Not due before the back-off has passed.
        assert sending.send_pending(now=now + wait - timedelta(seconds=1), gateway=gateway).claimed == 0
        now += wait

    sending.send_pending(now=now, gateway=gateway)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 4
    assert message.last_error == ""


def test_back_off_doubles_and_is_capped(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 600

    waits = [sending.retry_delay(n).total_seconds() for n in range(1, 8)]

    assert waits == [60, 120, 240, 480, 600, 600, 600]


@pytest.mark.django_db
def test_a_message_is_dead_after_the_last_attempt(settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    message = enqueue_alert()
    gateway = ScriptedGateway(down(), down(), down(), None)
    now = timezone.now()

    for _ in range(5):
        sending.send_pending(now=now, gateway=gateway)
        now += timedelta(hours=2)

    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 3
    assert len(gateway.calls) == 3


@pytest.mark.django_db
def test_a_permanent_failure_is_not_retried():
    message = enqueue_alert()
    gateway = ScriptedGateway(GatewayError("403 InvalidPhoneNumber", retryable=False))

    report = sending.send_pending(now=timezone.now(), gateway=gateway)
    sending.send_pending(now=timezone.now() + timedelta(days=1), gateway=gateway)

    message.refresh_from_db()
    assert report.failed == 1
    assert message.status == OutboxStatus.FAILED
    assert message.last_error == "403 InvalidPhoneNumber"
    assert len(gateway.calls) == 1


@pytest.mark.django_db
def test_a_gateway_bug_does_not_leave_the_message_stuck_in_sending():
    class BrokenGateway(SmsGateway):
        def send(self, to: str, body: str) -> SendResult:
            raise RuntimeError(f"boom {to}")

    message = enqueue_alert()

    sending.send_pending(now=timezone.now(), gateway=BrokenGateway())

    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.last_error == "unexpected RuntimeError"


@pytest.mark.django_db
def test_send_pending_sends_at_most_limit_messages_oldest_first():
    for n in range(5):
        enqueue_alert(key=f"alert:{n}")
    gateway = ScriptedGateway()

    report = sending.send_pending(now=timezone.now(), limit=3, gateway=gateway)

    assert report.sent == 3
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 2


@pytest.mark.django_db
def test_logs_carry_ids_never_the_number_or_the_text(caplog):
    caplog.set_level(logging.DEBUG)
    message = enqueue_alert()

    sending.send_pending(now=timezone.now(), gateway=ScriptedGateway(down()))
    sending.send_pending(now=timezone.now() + timedelta(hours=1))

    assert str(message.id) in caplog.text
    assert "76123456" not in caplog.text
    assert "Aminata" not in caplog.text and "convulsions" not in caplog.text


@pytest.mark.django_db
def test_a_refused_message_can_be_requeued_by_an_operator():
    message = enqueue_alert()
    sending.send_pending(now=timezone.now(), gateway=ScriptedGateway(GatewayError("x", retryable=False)))
    message.refresh_from_db()

    requeued = services.requeue_message(message=message)

    assert requeued.status == OutboxStatus.PENDING and requeued.attempts == 0
    with pytest.raises(ValidationError):
        services.requeue_message(message=requeued)


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_message_exactly_once(settings):
    settings.TASKS = DUMMY  # only the four workers below send
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks across connections (the SQLite test database is in memory)")

    class SlowRecordingGateway(SmsGateway):
        def __init__(self) -> None:
            self.bodies: list[str] = []
            self.lock = threading.Lock()

        def send(self, to: str, body: str) -> SendResult:
            time.sleep(0.01)
            with self.lock:
                self.bodies.append(body)
            return SendResult(provider_id="p", status="Success")

    for n in range(30):
        services.enqueue_sms(
            to="76123456",
            template="convocation",
            context={"name": f"Personne {n}", "facility": "CSCom X", "date": "lundi"},
            dedup_key=f"convocation:{n}",
        )
    gateway = SlowRecordingGateway()

    def worker() -> None:
        try:
            sending.send_pending(gateway=gateway)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(gateway.bodies) == 30
    assert len(set(gateway.bodies)) == 30
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 30


# --- Worker: task and command ------------------------------------------------------------------------
@pytest.mark.django_db
def test_worker_task_sends_the_outbox_on_the_immediate_backend():
    message = enqueue_alert()

    result = send_outbox.enqueue()

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value is not None and result.return_value["sent"] == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert len(ConsoleSmsGateway.sent) == 1


@pytest.mark.django_db
def test_a_retry_schedules_a_deferred_worker_run_on_the_database_backend(settings):
    settings.TASKS = DATABASE
    settings.SMS_GATEWAY = f"{__name__}.ProviderDownGateway"
    message = enqueue_alert()

    send_outbox.call()

    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    [scheduled] = DBTaskResult.objects.filter(task_path=send_outbox.module_path)
    assert scheduled.run_after == message.next_attempt_at


@pytest.mark.django_db
def test_a_run_with_nothing_to_do_schedules_nothing(settings):
    settings.TASKS = DATABASE
    settings.SMS_GATEWAY = f"{__name__}.ProviderDownGateway"
    message = enqueue_alert()
    send_outbox.call()  # fails once, schedules the retry
    DBTaskResult.objects.all().delete()

    send_outbox.call()  # a duplicate wake-up before the retry is due

    message.refresh_from_db()
    assert message.attempts == 1
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_send_outbox_command_sends_once(capsys):
    enqueue_alert()

    call_command("send_outbox")

    assert "1 envoyé(s)" in capsys.readouterr().out
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


@pytest.mark.django_db
def test_send_outbox_loop_stops_after_max_iterations(capsys):
    enqueue_alert()

    call_command("send_outbox", "--loop", "--interval", "0", "--max-iterations", "3")

    out = capsys.readouterr().out
    assert "arrêt après 3 passage(s)" in out
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT
