"""The SMS gateway interface: one recipient, one text, one result or one error.

A gateway says whether a failure is worth retrying; the outbox (``keneya.notifications``) decides
when. Gateways never log a message body or a full phone number: ids and masked numbers only.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

# Digits shown at the end of a masked number: enough to tell two recipients apart in a log.
MASK_VISIBLE_DIGITS = 2
_LONG_DIGIT_RUN = re.compile(r"\+?\d[\d ]{5,}\d")


@dataclass(frozen=True)
class SendResult:
    """What the gateway returned for an accepted message."""

    provider_id: str
    status: str
    cost: str = ""


class GatewayError(Exception):
    """The gateway did not accept the message.

    ``retryable`` is True when the same message may succeed later (network, provider outage,
    account-level problem) and False when it never will (invalid number, blacklisted user).
    ``code`` is the provider's short code, e.g. ``"403 InvalidPhoneNumber"``.
    """

    def __init__(self, message: str, *, retryable: bool, code: str = "") -> None:
        super().__init__(redact(message))
        self.retryable = retryable
        self.code = code


class SmsGateway(ABC):
    """Send one SMS. Implementations are cheap to build; ``close()`` frees connections."""

    name: str = "sms"

    @abstractmethod
    def send(self, to: str, body: str) -> SendResult:
        """Send ``body`` to ``to`` (E.164, e.g. ``+22376123456``) or raise ``GatewayError``."""

    def close(self) -> None:  # noqa: B027 - optional hook, most gateways hold nothing
        """Release connections held by the gateway."""


def mask_phone(number: str) -> str:
    """'+22376123456' -> '+223******56': the country code and the last digits only."""
    if len(number) <= MASK_VISIBLE_DIGITS:
        return "*" * len(number)
    prefix = "+223" if number.startswith("+223") else ""
    hidden = len(number) - len(prefix) - MASK_VISIBLE_DIGITS
    return prefix + "*" * max(hidden, 0) + number[-MASK_VISIBLE_DIGITS:]


def redact(text: str, *, max_length: int = 240) -> str:
    """Remove anything that looks like a phone number and cap the length (error texts are stored)."""
    return _LONG_DIGIT_RUN.sub("<numéro>", text)[:max_length]
