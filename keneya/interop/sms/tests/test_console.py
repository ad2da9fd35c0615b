"""The console gateway, masking, and the settings-driven gateway factory."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from keneya.interop.sms import (
    AfricasTalkingGateway,
    ConsoleSmsGateway,
    SendResult,
    SmsGateway,
    get_gateway,
    mask_phone,
)
from keneya.interop.sms.base import redact


class RecordingGateway(SmsGateway):
    def send(self, to: str, body: str) -> SendResult:
        return SendResult(provider_id="rec-1", status="Success")


def test_console_gateway_logs_a_masked_number_and_keeps_the_text_in_memory(caplog):
    ConsoleSmsGateway.clear()
    caplog.set_level(logging.INFO)

    result = ConsoleSmsGateway().send("+22376123456", "Kènèya : test")

    assert result.provider_id.startswith("console-")
    assert f"SMS {result.provider_id} queued to +223******56" in caplog.text
    assert "76123456" not in caplog.text and "Kènèya : test" not in caplog.text
    [stored] = ConsoleSmsGateway.sent
    assert (stored.to, stored.body, stored.provider_id) == (
        "+22376123456",
        "Kènèya : test",
        result.provider_id,
    )


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+22376123456", "+223******56"),
        ("76123456", "******56"),
        ("5", "*"),
    ],
)
def test_mask_phone_shows_country_code_and_last_two_digits(number, masked):
    assert mask_phone(number) == masked


def test_redact_removes_phone_numbers_from_error_texts():
    assert redact("Invalid phone number: +22376123456") == "Invalid phone number: <numéro>"
    assert redact("403 InvalidPhoneNumber") == "403 InvalidPhoneNumber"


def test_default_gateway_is_the_console(settings):
    del settings.SMS_GATEWAY  # works before the setting exists

    assert isinstance(get_gateway(), ConsoleSmsGateway)


def test_africastalking_gateway_is_built_from_settings(settings):
    settings.SMS_GATEWAY = "africastalking"
    settings.AFRICASTALKING_USERNAME = "keneya-mali"
    settings.AFRICASTALKING_API_KEY = "secret"
    settings.AFRICASTALKING_SENDER_ID = "KENEYA"
    settings.AFRICASTALKING_BASE_URL = "http://127.0.0.1:9"

    gateway = get_gateway()

    assert isinstance(gateway, AfricasTalkingGateway)
    assert gateway.url == "http://127.0.0.1:9/version1/messaging"
    assert gateway.sender_id == "KENEYA"
    gateway.close()


def test_africastalking_without_credentials_is_a_configuration_error(settings):
    settings.SMS_GATEWAY = "africastalking"
    settings.AFRICASTALKING_USERNAME = ""
    settings.AFRICASTALKING_API_KEY = ""

    with pytest.raises(ImproperlyConfigured):
        get_gateway()


def test_gateway_can_be_a_dotted_class_path(settings):
    settings.SMS_GATEWAY = f"{__name__}.RecordingGateway"

    assert isinstance(get_gateway(), RecordingGateway)


@pytest.mark.parametrize("name", ["twilio", "keneya.interop.sms.base.redact"])
def test_unknown_gateway_is_a_configuration_error(settings, name):
    settings.SMS_GATEWAY = name

    with pytest.raises(ImproperlyConfigured):
        get_gateway()
