"""A local HTTP server that speaks Africa's Talking's SMS API (version1/messaging), for tests.

It checks what the real API checks (the ``apiKey`` header, the form fields) and answers with the
documented JSON. The recipient number picks the scenario, as the sandbox's test numbers would:

- ``RISK_HOLD``: recipient statusCode 401 RiskHold
- ``INVALID_NUMBER``: recipient statusCode 403 InvalidPhoneNumber
- ``NO_BALANCE``: recipient statusCode 405 InsufficientBalance
- ``SERVER_ERROR``: HTTP 500
- ``SLOW``: answers only after the test ends (the client must time out)
- anything else: statusCode 101 Success, with a fresh ``ATXid_`` message id.

``queue(status, body)`` forces the next answers, whatever the number (an outage, then recovery).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

API_KEY = "atsk_test_0123456789abcdef"
USERNAME = "sandbox"
COST = "XOF 25.0000"

RISK_HOLD = "+22370000401"
INVALID_NUMBER = "+22370000403"
NO_BALANCE = "+22370000405"
SERVER_ERROR = "+22370000500"
SLOW = "+22370000999"
SLOW_ANSWER_MAX_WAIT_SECONDS = 10

_RECIPIENT_FAILURES = {
    RISK_HOLD: (401, "RiskHold"),
    INVALID_NUMBER: (403, "InvalidPhoneNumber"),
    NO_BALANCE: (405, "InsufficientBalance"),
}


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


def success_payload(number: str) -> dict[str, Any]:
    return {
        "SMSMessageData": {
            "Message": f"Sent to 1/1 Total Cost: {COST}",
            "Recipients": [
                {
                    "statusCode": 101,
                    "number": number,
                    "status": "Success",
                    "cost": COST,
                    "messageId": f"ATXid_{uuid.uuid4().hex}",
                    "messageParts": 1,
                }
            ],
        }
    }


def failure_payload(number: str, code: int, status: str) -> dict[str, Any]:
    return {
        "SMSMessageData": {
            "Message": "Sent to 0/1 Total Cost: 0",
            "Recipients": [
                {"statusCode": code, "number": number, "status": status, "cost": "0", "messageId": "None"}
            ],
        }
    }


class FakeAfricasTalking:
    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.forced: deque[tuple[int, str, str]] = deque()
        self.release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def queue(self, status: int, body: str | dict[str, Any], content_type: str = "application/json") -> None:
        text = body if isinstance(body, str) else json.dumps(body)
        self.forced.append((status, text, content_type))

    def __enter__(self) -> FakeAfricasTalking:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def answer(self, request: RecordedRequest) -> tuple[int, str, str]:
        if request.headers.get("apikey") != API_KEY:
            return 401, "The supplied authentication is invalid", "text/plain"
        if request.method != "POST" or request.path != "/version1/messaging":
            return 404, "Not found", "text/plain"
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return 415, "Unsupported content type", "text/plain"
        for field in ("username", "to", "message"):
            if not request.form.get(field):
                return 400, f"Request is missing required form field '{field}'", "text/plain"
        if request.form["username"] != USERNAME:
            return 401, "The supplied authentication is invalid", "text/plain"
        if self.forced:
            return self.forced.popleft()
        number = request.form["to"]
        if number == SERVER_ERROR:
            return 500, "Internal Server Error", "text/plain"
        if number == SLOW:
            self.release.wait(SLOW_ANSWER_MAX_WAIT_SECONDS)
        if number in _RECIPIENT_FAILURES:
            code, status = _RECIPIENT_FAILURES[number]
            return 201, json.dumps(failure_payload(number, code, status)), "application/json"
        return 201, json.dumps(success_payload(number)), "application/json"


def _handler_for(fake: FakeAfricasTalking) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self._serve()

        def do_GET(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8") if length else ""
            form = {key: values[0] for key, values in parse_qs(raw).items()}
            request = RecordedRequest(
                method=self.command,
                path=self.path,
                headers={key.lower(): value for key, value in self.headers.items()},
                form=form,
            )
            fake.requests.append(request)
            status, body, content_type = fake.answer(request)
            data = body.encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler
