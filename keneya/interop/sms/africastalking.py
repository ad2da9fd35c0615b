"""Africa's Talking SMS adapter over plain httpx (the official SDK pulls a test library at runtime).

API: Africa's Talking SMS "Sending messages", version1 (developers.africastalking.com/docs/sms).
- ``POST {base_url}/version1/messaging``, form-encoded ``username``, ``to``, ``message`` and an
  optional ``from`` (sender id or short code); headers ``apiKey`` and ``Accept: application/json``.
- A success is HTTP 201 with ``{"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: …",
  "Recipients": [{"statusCode": 101, "number": "+223…", "status": "Success", "cost": "XOF 25.0000",
  "messageId": "ATXid_…"}]}}``.
- Per-recipient ``statusCode`` values (documented): 100 Processed, 101 Sent, 102 Queued,
  401 RiskHold, 402 InvalidSenderId, 403 InvalidPhoneNumber, 404 UnsupportedNumberType,
  405 InsufficientBalance, 406 UserInBlacklist, 407 CouldNotRoute, 409 DoNotDisturbRejection,
  500 InternalServerError, 501 GatewayError, 502 RejectedByGateway.
- Base URLs: sandbox https://api.sandbox.africastalking.com, live https://api.africastalking.com.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from keneya.interop.sms.base import GatewayError, SendResult, SmsGateway, mask_phone

logger = logging.getLogger(__name__)

SANDBOX_BASE_URL = "https://api.sandbox.africastalking.com"
LIVE_BASE_URL = "https://api.africastalking.com"
SANDBOX_USERNAME = "sandbox"  # Africa's Talking's sandbox app is always called "sandbox"
MESSAGING_PATH = "/version1/messaging"
DEFAULT_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5.0

SUCCESS_CODES = {100: "Processed", 101: "Sent", 102: "Queued"}
# Failures that the same message will hit again: drop it.
PERMANENT_FAILURE_CODES = {
    401: "RiskHold",
    402: "InvalidSenderId",
    403: "InvalidPhoneNumber",
    404: "UnsupportedNumberType",
    406: "UserInBlacklist",
    407: "CouldNotRoute",
    409: "DoNotDisturbRejection",
}
# Failures that may pass later. 405 is an account-level problem (a top-up fixes it): dropping every
# queued alert because the balance ran out for an hour would be the worse failure.
RETRYABLE_FAILURE_CODES = {
    405: "InsufficientBalance",
    500: "InternalServerError",
    501: "GatewayError",
    502: "RejectedByGateway",
}
# HTTP statuses worth retrying: rate limiting and the provider's own errors. 401 is a wrong
# username or API key: fixing the configuration lets the queue drain, so it is retried too.
RETRYABLE_HTTP_STATUSES = {401, 408, 429}
FIRST_SERVER_ERROR_CODE = 500


def default_base_url(username: str) -> str:
    return SANDBOX_BASE_URL if username == SANDBOX_USERNAME else LIVE_BASE_URL


class AfricasTalkingGateway(SmsGateway):
    name = "africastalking"

    def __init__(
        self,
        *,
        username: str,
        api_key: str,
        sender_id: str = "",
        base_url: str = "",
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.username = username
        self.sender_id = sender_id
        self.url = (base_url or default_base_url(username)).rstrip("/") + MESSAGING_PATH
        self._client = httpx.Client(
            headers={"apiKey": api_key, "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT_SECONDS)),
        )

    def send(self, to: str, body: str) -> SendResult:
        form = {"username": self.username, "to": to, "message": body}
        if self.sender_id:
            form["from"] = self.sender_id
        try:
            response = self._client.post(self.url, data=form)
        except httpx.TimeoutException as exc:
            # A read timeout may hide a message the provider did send; retrying risks a duplicate,
            # not retrying risks losing an urgent alert. The duplicate is the lesser harm.
            raise GatewayError(f"timeout ({type(exc).__name__})", retryable=True, code="timeout") from exc
        except httpx.HTTPError as exc:
            raise GatewayError(
                f"network error ({type(exc).__name__})", retryable=True, code="network"
            ) from exc
        return self._parse(response, to)

    def _parse(self, response: httpx.Response, to: str) -> SendResult:
        status = response.status_code
        if status >= FIRST_SERVER_ERROR_CODE or status in RETRYABLE_HTTP_STATUSES:
            raise GatewayError(f"HTTP {status}", retryable=True, code=f"http {status}")
        if not response.is_success:
            raise GatewayError(f"HTTP {status}", retryable=False, code=f"http {status}")
        try:
            data: Any = response.json()
            message_data = data["SMSMessageData"]
            recipients = message_data.get("Recipients") or []
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            # The provider answered 2xx: it may well have sent the text. Never send it again.
            raise GatewayError(
                f"unreadable response (HTTP {status})", retryable=False, code="bad response"
            ) from exc
        if not recipients:
            # e.g. {"Message": "InvalidSenderId", "Recipients": []}: rejected before any recipient.
            reason = str(message_data.get("Message", ""))
            raise GatewayError(f"no recipient accepted: {reason}", retryable=False, code="no recipient")
        recipient = next((r for r in recipients if r.get("number") == to), recipients[0])
        return self._recipient_result(recipient)

    def _recipient_result(self, recipient: dict[str, Any]) -> SendResult:
        try:
            code = int(recipient.get("statusCode", 0))
        except (TypeError, ValueError):
            code = 0
        provider_status = str(recipient.get("status", ""))
        if code in SUCCESS_CODES:
            provider_id = str(recipient.get("messageId", ""))
            logger.info(
                "Africa's Talking accepted %s for %s (%s)",
                provider_id,
                mask_phone(str(recipient.get("number", ""))),
                code,
            )
            return SendResult(
                provider_id=provider_id,
                status=provider_status or SUCCESS_CODES[code],
                cost=str(recipient.get("cost", "")),
            )
        name = (
            PERMANENT_FAILURE_CODES.get(code)
            or RETRYABLE_FAILURE_CODES.get(code)
            or provider_status
            or "Unknown"
        )
        retryable = code in RETRYABLE_FAILURE_CODES or code >= FIRST_SERVER_ERROR_CODE
        raise GatewayError(f"{code} {name}", retryable=retryable, code=f"{code} {name}")

    def close(self) -> None:
        self._client.close()
