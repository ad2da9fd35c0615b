"""The Africa's Talking adapter against a real local HTTP server speaking the documented API."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest

from keneya.interop.sms import AfricasTalkingGateway, GatewayError
from keneya.interop.sms.africastalking import LIVE_BASE_URL, SANDBOX_BASE_URL
from keneya.interop.sms.tests import fake_africastalking as fake_at
from keneya.interop.sms.tests.fake_africastalking import FakeAfricasTalking

TEXT = "Kènèya : Aminata Traoré est convoqué(e) au CSCom ASACOLA le 12/03/2026."
RECIPIENT = "+22376123456"


@pytest.fixture
def fake() -> Iterator[FakeAfricasTalking]:
    with FakeAfricasTalking() as server:
        yield server


def gateway_for(fake: FakeAfricasTalking, **overrides: object) -> AfricasTalkingGateway:
    options: dict[str, object] = {
        "username": fake_at.USERNAME,
        "api_key": fake_at.API_KEY,
        "sender_id": "KENEYA",
        "base_url": fake.base_url,
    }
    options.update(overrides)
    return AfricasTalkingGateway(**options)  # type: ignore[arg-type]


def test_accepted_message_returns_provider_id_status_and_cost(fake):
    result = gateway_for(fake).send(RECIPIENT, TEXT)

    assert result.provider_id.startswith("ATXid_")
    assert result.status == "Success"
    assert result.cost == fake_at.COST


def test_request_is_the_documented_form_post_with_api_key_header(fake):
    gateway_for(fake).send(RECIPIENT, TEXT)

    [request] = fake.requests
    assert request.method == "POST"
    assert request.path == "/version1/messaging"
    assert request.headers["apikey"] == fake_at.API_KEY
    assert request.headers["accept"] == "application/json"
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert request.form == {"username": "sandbox", "to": RECIPIENT, "message": TEXT, "from": "KENEYA"}


def test_without_sender_id_no_from_field_is_sent(fake):
    gateway_for(fake, sender_id="").send(RECIPIENT, TEXT)

    assert "from" not in fake.requests[0].form


def test_invalid_phone_number_is_a_permanent_failure_without_the_number(fake):
    with pytest.raises(GatewayError) as caught:
        gateway_for(fake).send(fake_at.INVALID_NUMBER, TEXT)

    assert caught.value.retryable is False
    assert caught.value.code == "403 InvalidPhoneNumber"
    assert "70000403" not in str(caught.value)


def test_risk_hold_is_a_permanent_failure(fake):
    with pytest.raises(GatewayError) as caught:
        gateway_for(fake).send(fake_at.RISK_HOLD, TEXT)

    assert caught.value.retryable is False
    assert caught.value.code == "401 RiskHold"


def test_insufficient_balance_is_retried_after_a_top_up(fake):
    with pytest.raises(GatewayError) as caught:
        gateway_for(fake).send(fake_at.NO_BALANCE, TEXT)

    assert caught.value.retryable is True
    assert caught.value.code == "405 InsufficientBalance"


def test_server_error_is_retryable(fake):
    with pytest.raises(GatewayError) as caught:
        gateway_for(fake).send(fake_at.SERVER_ERROR, TEXT)

    assert caught.value.retryable is True
    assert caught.value.code == "http 500"


def test_timeout_is_retryable_and_does_not_hang(fake):
    started = time.monotonic()
    with pytest.raises(GatewayError) as caught:
        gateway_for(fake, timeout=0.3).send(fake_at.SLOW, TEXT)

    assert caught.value.retryable is True
    assert caught.value.code == "timeout"
    assert time.monotonic() - started < 3


def test_wrong_api_key_is_retryable_so_the_queue_drains_once_configuration_is_fixed(fake):
    with pytest.raises(GatewayError) as caught:
        gateway_for(fake, api_key="wrong").send(RECIPIENT, TEXT)

    assert caught.value.retryable is True
    assert caught.value.code == "http 401"


def test_bad_request_is_permanent(fake):
    fake.queue(400, "Invalid request", "text/plain")

    with pytest.raises(GatewayError) as caught:
        gateway_for(fake).send(RECIPIENT, TEXT)

    assert caught.value.retryable is False


def test_message_rejected_before_any_recipient_is_permanent(fake):
    fake.queue(201, {"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}})

    with pytest.raises(GatewayError) as caught:
        gateway_for(fake).send(RECIPIENT, TEXT)

    assert caught.value.retryable is False
    assert "InvalidSenderId" in str(caught.value)


def test_unreadable_success_answer_is_never_retried_because_the_sms_may_be_out(fake):
    fake.queue(201, "<html>ok</html>", "text/html")

    with pytest.raises(GatewayError) as caught:
        gateway_for(fake).send(RECIPIENT, TEXT)

    assert caught.value.retryable is False


def test_unreachable_gateway_is_retryable():
    with socket.socket() as probe:  # a free port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = AfricasTalkingGateway(
        username="sandbox", api_key="k", base_url=f"http://127.0.0.1:{port}", timeout=1
    )

    with pytest.raises(GatewayError) as caught:
        gateway.send(RECIPIENT, TEXT)

    assert caught.value.retryable is True
    assert caught.value.code == "network"


def test_logs_name_the_provider_id_but_never_the_number_or_text(fake, caplog):
    caplog.set_level(logging.DEBUG)

    result = gateway_for(fake).send(RECIPIENT, TEXT)

    assert result.provider_id in caplog.text
    assert "76123456" not in caplog.text
    assert "Traoré" not in caplog.text


@pytest.mark.parametrize(
    ("username", "base_url", "expected"),
    [
        ("sandbox", "", SANDBOX_BASE_URL + "/version1/messaging"),
        ("keneya-mali", "", LIVE_BASE_URL + "/version1/messaging"),
        ("keneya-mali", "https://proxy.example.ml/", "https://proxy.example.ml/version1/messaging"),
    ],
)
def test_base_url_defaults_to_sandbox_or_live_by_username(username, base_url, expected):
    gateway = AfricasTalkingGateway(username=username, api_key="k", base_url=base_url)

    assert gateway.url == expected
    gateway.close()
