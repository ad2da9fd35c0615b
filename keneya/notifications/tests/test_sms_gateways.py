"""The outbox end to end through the configured gateway: Africa's Talking (a local fake) or console."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from keneya.interop.sms import ConsoleSmsGateway
from keneya.interop.sms.tests import fake_africastalking as fake_at
from keneya.interop.sms.tests.fake_africastalking import FakeAfricasTalking
from keneya.notifications import sending, services
from keneya.notifications.models import OutboxMessage, OutboxStatus

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CONVOCATION = {"name": "Aminata Keïta", "facility": "CSCom ASACOLA I", "date": "12/03/2026"}


@pytest.fixture
def fake(settings) -> Iterator[FakeAfricasTalking]:
    with FakeAfricasTalking() as server:
        settings.TASKS = IMMEDIATE
        settings.SMS_GATEWAY = "africastalking"
        settings.AFRICASTALKING_USERNAME = fake_at.USERNAME
        settings.AFRICASTALKING_API_KEY = fake_at.API_KEY
        settings.AFRICASTALKING_SENDER_ID = "KENEYA"
        settings.AFRICASTALKING_BASE_URL = server.base_url
        settings.AFRICASTALKING_TIMEOUT = 2
        yield server


def convocation(to: str = "+22376123456", key: str = "referral:1:convocation") -> OutboxMessage:
    return services.enqueue_sms(to=to, template="convocation", context=CONVOCATION, dedup_key=key)


@pytest.mark.django_db(transaction=True)
def test_committed_convocation_reaches_africastalking_once(fake):
    with transaction.atomic():
        message = convocation()
        convocation()  # the same logical message again (a resent offline batch)

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.provider_message_id.startswith("ATXid_")
    assert message.cost == fake_at.COST
    [request] = fake.requests
    assert request.form["to"] == "+22376123456"
    assert request.form["message"] == (
        "Kènèya : Aminata Keita est convoqué(e) au CSCom ASACOLA I le 12/03/2026."
    )
    assert request.form["from"] == "KENEYA"


@pytest.mark.django_db
def test_provider_outage_is_retried_then_delivered(fake):
    message = convocation()
    fake.queue(500, "Internal Server Error", "text/plain")
    fake.queue(503, "Service Unavailable", "text/plain")
    now = timezone.now()

    first = sending.send_pending(now=now)
    second = sending.send_pending(now=now + timedelta(minutes=1))
    third = sending.send_pending(now=now + timedelta(minutes=3))

    message.refresh_from_db()
    assert (first.retried, second.retried, third.sent) == (1, 1, 1)
    assert message.status == OutboxStatus.SENT and message.attempts == 3
    assert len(fake.requests) == 3


@pytest.mark.django_db
def test_invalid_number_is_refused_for_good_without_storing_the_number_in_the_error(fake):
    message = convocation(to=fake_at.INVALID_NUMBER)

    sending.send_pending(now=timezone.now())
    sending.send_pending(now=timezone.now() + timedelta(days=1))

    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.last_error == "403 InvalidPhoneNumber"
    assert len(fake.requests) == 1


@pytest.mark.django_db
def test_provider_timeout_is_retried(fake, settings):
    settings.AFRICASTALKING_TIMEOUT = 0.3
    message = convocation(to=fake_at.SLOW)

    report = sending.send_pending(now=timezone.now())

    message.refresh_from_db()
    assert report.retried == 1
    assert message.status == OutboxStatus.PENDING
    assert message.last_error.startswith("timeout")


@pytest.mark.django_db(transaction=True)
def test_console_is_the_default_gateway(settings):
    settings.TASKS = IMMEDIATE
    del settings.SMS_GATEWAY
    ConsoleSmsGateway.clear()

    message = convocation()

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert [sms.body for sms in ConsoleSmsGateway.sent] == [message.body]
    ConsoleSmsGateway.clear()
