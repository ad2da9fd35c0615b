"""SMS gateways behind one interface (``base.SmsGateway``), chosen by the ``SMS_GATEWAY`` setting.

- ``"console"`` (default): logs a masked line and keeps the text in memory; nothing is sent.
- ``"africastalking"``: Africa's Talking over HTTPS (``AFRICASTALKING_*`` settings).
- a dotted path to an ``SmsGateway`` subclass built without arguments.

Only the notifications outbox sends SMS; other code calls ``keneya.notifications.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from keneya.interop.sms.africastalking import DEFAULT_TIMEOUT_SECONDS, AfricasTalkingGateway
from keneya.interop.sms.base import GatewayError, SendResult, SmsGateway, mask_phone
from keneya.interop.sms.console import ConsoleSmsGateway

__all__ = [
    "AfricasTalkingGateway",
    "ConsoleSmsGateway",
    "GatewayError",
    "SendResult",
    "SmsGateway",
    "get_gateway",
    "mask_phone",
]


def get_gateway() -> SmsGateway:
    """A new gateway as configured. Call ``close()`` on it when done."""
    name = str(getattr(settings, "SMS_GATEWAY", "") or "console").strip()
    if name == "console":
        return ConsoleSmsGateway()
    if name == "africastalking":
        username = getattr(settings, "AFRICASTALKING_USERNAME", "")
        api_key = getattr(settings, "AFRICASTALKING_API_KEY", "")
        if not username or not api_key:
            raise ImproperlyConfigured(
                "SMS_GATEWAY=africastalking needs AFRICASTALKING_USERNAME and AFRICASTALKING_API_KEY."
            )
        return AfricasTalkingGateway(
            username=username,
            api_key=api_key,
            sender_id=getattr(settings, "AFRICASTALKING_SENDER_ID", ""),
            base_url=getattr(settings, "AFRICASTALKING_BASE_URL", ""),
            timeout=float(getattr(settings, "AFRICASTALKING_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)),
        )
    if "." in name:
        gateway_class = import_string(name)
        if not (isinstance(gateway_class, type) and issubclass(gateway_class, SmsGateway)):
            raise ImproperlyConfigured(f"SMS_GATEWAY={name!r} is not an SmsGateway subclass.")
        return gateway_class()
    raise ImproperlyConfigured(
        f"Unknown SMS_GATEWAY={name!r}: use 'console', 'africastalking' or a dotted class path."
    )
