"""The default gateway: nothing leaves the machine.

It logs a provider id and the masked number (never the text), and keeps the last messages in
memory so that tests and the demo can see what would have been sent.
"""

from __future__ import annotations

import logging
import uuid
from collections import deque
from dataclasses import dataclass
from typing import ClassVar

from keneya.interop.sms.base import SendResult, SmsGateway, mask_phone

logger = logging.getLogger(__name__)

# A long-running worker on the console gateway must not grow without bound.
CONSOLE_MEMORY_SIZE = 1000


@dataclass(frozen=True)
class ConsoleSms:
    provider_id: str
    to: str
    body: str


class ConsoleSmsGateway(SmsGateway):
    name = "console"
    sent: ClassVar[deque[ConsoleSms]] = deque(maxlen=CONSOLE_MEMORY_SIZE)

    def send(self, to: str, body: str) -> SendResult:
        provider_id = f"console-{uuid.uuid4().hex[:12]}"
        self.sent.append(ConsoleSms(provider_id=provider_id, to=to, body=body))
        logger.info("SMS %s queued to %s", provider_id, mask_phone(to))
        return SendResult(provider_id=provider_id, status="Success", cost="0")

    @classmethod
    def clear(cls) -> None:
        cls.sent.clear()
