"""A local HTTP server that speaks DHIS2's Web API, enough for the push and the metadata import.

It checks what a real instance checks and answers in DHIS2's documented shapes:

- authentication: HTTP Basic (``USERNAME``/``PASSWORD``) or a personal access token
  (``Authorization: ApiToken TOKEN``); anything else gets DHIS2's 401 WebMessage.
- ``POST /api/dataValueSets`` with the import parameters in the query string (``dryRun``,
  ``idScheme``, ``importStrategy``…): each data value is validated against the server's
  metadata (unknown data element E7610, org unit E7612, category option combo E7613, a value
  that does not fit the data element's type E7619, a locked period E7640) and the answer is an
  import summary, wrapped in a WebMessage from 2.38 (HTTP 409 when there are conflicts, with
  ``errorCode``, ``property`` and ``indexes``), bare before (``version="2.37.9"``: HTTP 200,
  conflicts with ``object`` and ``value`` only). A dry run counts without storing.
- ``POST /api/completeDataSetRegistrations`` marks a data set complete per org unit (E7600,
  E7603 conflicts).
- ``GET /api/metadata`` answers ``metadata`` (the instance's objects), ``GET /api/system/info``
  its version.

``queue(status, body)`` forces the next answers (a 500, a timeout-free outage, then recovery).
"""

from __future__ import annotations

import base64
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

USERNAME = "keneya-push"
PASSWORD = "Mot-de-passe-DHIS2-2026"
TOKEN = "d2pat_kQf8cY2n3a1XzGm0pLrT4vWb9sHeJdUo1234567890"

DATA_SET = "dsMonthly01"
DE_VISITS = "deVisits001"
DE_CHILDREN = "deChildren1"
CC_SEX = "ccSex000001"
CC_DEFAULT = "bjDvmb4bfuf"
COC_FEMALE = "cocFemale01"
COC_MALE = "cocMale0001"
COC_DEFAULT = "HllvX50cXC0"
OU_ASACOLA = "ouAsacola01"
OU_ASACOHAM = "ouAsacoham1"
INTEGER_TYPES = {"INTEGER", "INTEGER_POSITIVE", "INTEGER_ZERO_OR_POSITIVE", "INTEGER_NEGATIVE"}


def default_metadata() -> dict[str, Any]:
    """An instance's objects, as ``/api/metadata`` lists them."""
    return {
        "system": {"id": "eed3d451-4ff5-4193-b951-ffcc68954299", "version": "2.40.3"},
        "dataSets": [
            {
                "id": DATA_SET,
                "code": "SNIS_CSCOM_MENSUEL",
                "name": "Rapport mensuel d'activités CSCom",
                "periodType": "Monthly",
                "dataSetElements": [{"dataElement": {"id": DE_VISITS}}, {"dataElement": {"id": DE_CHILDREN}}],
            }
        ],
        "dataElements": [
            {
                "id": DE_VISITS,
                "code": "VAD",
                "name": "Visites à domicile",
                "valueType": "INTEGER_ZERO_OR_POSITIVE",
                "categoryCombo": {"id": CC_SEX},
            },
            {
                "id": DE_CHILDREN,
                "code": "ENF_SUIVIS",
                "name": "Enfants 0-59 mois suivis",
                "valueType": "INTEGER_ZERO_OR_POSITIVE",
                "categoryCombo": {"id": CC_DEFAULT},
            },
        ],
        "categoryOptionCombos": [
            {"id": COC_FEMALE, "code": "F", "name": "Féminin", "categoryCombo": {"id": CC_SEX}},
            {"id": COC_MALE, "code": "M", "name": "Masculin", "categoryCombo": {"id": CC_SEX}},
            {"id": COC_DEFAULT, "code": "default", "name": "default", "categoryCombo": {"id": CC_DEFAULT}},
        ],
        "organisationUnits": [
            {"id": OU_ASACOLA, "code": "ASACOLA", "name": "CSCom ASACOLA I"},
            {"id": OU_ASACOHAM, "code": "ASACOHAM", "name": "CSCom ASACOHAM"},
            {"id": "ouDistrict4", "code": "DS_C4", "name": "District sanitaire Commune IV"},
        ],
    }


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeDhis2:
    version: str = "2.40.3"
    metadata: dict[str, Any] = field(default_factory=default_metadata)
    locked_periods: set[str] = field(default_factory=set)
    requests: list[RecordedRequest] = field(default_factory=list)
    forced: deque[tuple[int, Any]] = field(default_factory=deque)
    stored: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    completed: set[tuple[str, str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def wraps(self) -> bool:
        """From 2.38 the import summary comes inside a WebMessage."""
        major, minor = (int(x) for x in self.version.split(".")[:2])
        return (major, minor) >= (2, 38)

    def queue(self, status: int, body: Any) -> None:
        self.forced.append((status, body))

    def imports(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/api/dataValueSets"]

    def __enter__(self) -> FakeDhis2:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- answers ---------------------------------------------------------------------------------
    def _authorised(self, headers: dict[str, str]) -> bool:
        auth = headers.get("authorization", "")
        if auth == f"ApiToken {TOKEN}":
            return True
        expected = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        return auth == f"Basic {expected}"

    def answer(self, request: RecordedRequest) -> tuple[int, Any]:
        if not self._authorised(request.headers):
            return 401, {
                "httpStatus": "Unauthorized",
                "httpStatusCode": 401,
                "status": "ERROR",
                "message": "Unauthorized",
            }
        if self.forced:
            return self.forced.popleft()
        if request.method == "GET" and request.path == "/api/system/info":
            return 200, {"version": self.version, "revision": "abc1234", "calendar": "iso8601"}
        if request.method == "GET" and request.path == "/api/me":
            return 200, {"id": "xE7jOejl9FI", "username": USERNAME, "displayName": "Kènèya (envoi mensuel)"}
        if request.method == "GET" and request.path == "/api/metadata":
            return 200, self.metadata
        if request.method == "POST" and request.path == "/api/dataValueSets":
            if not request.headers.get("content-type", "").startswith("application/json"):
                return 415, {"httpStatus": "Unsupported Media Type", "httpStatusCode": 415, "status": "ERROR"}
            return self.import_data_values(request.body, request.query)
        if request.method == "POST" and request.path == "/api/completeDataSetRegistrations":
            return self.register_completions(request.body, request.query)
        return 404, {
            "httpStatus": "Not Found",
            "httpStatusCode": 404,
            "status": "ERROR",
            "message": "Not found",
        }

    def _objects(self, kind: str, scheme: str) -> dict[str, dict[str, Any]]:
        key = "code" if scheme == "CODE" else "id"
        return {str(o.get(key)): o for o in self.metadata.get(kind, []) if o.get(key)}

    def import_data_values(self, payload: Any, query: dict[str, str]) -> tuple[int, Any]:
        dry_run = query.get("dryRun", "false") == "true"
        scheme = query.get("idScheme", "UID").upper()
        elements = self._objects("dataElements", query.get("dataElementIdScheme", scheme).upper())
        units = self._objects("organisationUnits", query.get("orgUnitIdScheme", scheme).upper())
        combos = self._objects(
            "categoryOptionCombos", query.get("categoryOptionComboIdScheme", scheme).upper()
        )
        conflicts: list[dict[str, Any]] = []
        imported = updated = 0
        rejected: list[int] = []
        for index, value in enumerate((payload or {}).get("dataValues", [])):
            problem = self._check(value, elements, units, combos)
            if problem is not None:
                code, prop, obj, message = problem
                conflicts.append(
                    {
                        "object": obj,
                        "objects": {prop: obj},
                        "value": message,
                        "errorCode": code,
                        "property": prop,
                        "indexes": [index],
                    }
                )
                rejected.append(index)
                continue
            key = (
                value["dataElement"],
                value["period"],
                value["orgUnit"],
                value.get("categoryOptionCombo", COC_DEFAULT),
            )
            if key in self.stored:
                updated += 1
            else:
                imported += 1
            if not dry_run:
                self.stored[key] = str(value["value"])
        status = "SUCCESS" if not conflicts else ("WARNING" if imported + updated else "ERROR")
        summary: dict[str, Any] = {
            "responseType": "ImportSummary",
            "status": status,
            "importOptions": {
                "dryRun": dry_run,
                "importStrategy": query.get("importStrategy", "CREATE_AND_UPDATE"),
            },
            "description": "Import process completed successfully",
            "importCount": {"imported": imported, "updated": updated, "ignored": len(rejected), "deleted": 0},
            "conflicts": conflicts,
            "dataSetComplete": "false",
        }
        if not self.wraps:  # 2.37 and before: the bare summary, conflicts as object + value
            # Old servers kept conflicts in a set: one per (object, value), whatever the count.
            unique = {(c["object"], c["value"]): None for c in conflicts}
            summary["conflicts"] = [{"object": o, "value": v} for o, v in unique]
            return 200, summary
        summary["rejectedIndexes"] = rejected
        if conflicts:
            return 409, {
                "httpStatus": "Conflict",
                "httpStatusCode": 409,
                "status": status,
                "message": "One more conflicts encountered, please check import summary.",
                "response": summary,
            }
        return 200, {
            "httpStatus": "OK",
            "httpStatusCode": 200,
            "status": "OK",
            "message": "Import was successful.",
            "response": summary,
        }

    def register_completions(self, payload: Any, query: dict[str, str]) -> tuple[int, Any]:
        """``POST /api/completeDataSetRegistrations``: each registration's data set and org unit checked."""
        scheme = query.get("idScheme", "UID").upper()
        data_sets = self._objects("dataSets", query.get("dataSetIdScheme", scheme).upper())
        units = self._objects("organisationUnits", query.get("orgUnitIdScheme", scheme).upper())
        conflicts: list[dict[str, Any]] = []
        imported = 0
        for index, registration in enumerate((payload or {}).get("completeDataSetRegistrations", [])):
            data_set, unit = registration.get("dataSet", ""), registration.get("organisationUnit", "")
            if data_set not in data_sets:
                message = f"Data set not found or not accessible: `{data_set}`"
                conflicts.append(
                    {"object": data_set, "value": message, "errorCode": "E7600", "indexes": [index]}
                )
            elif unit not in units:
                message = f"Org unit not found or not accessible: `{unit}`"
                conflicts.append({"object": unit, "value": message, "errorCode": "E7603", "indexes": [index]})
            else:
                self.completed.add((data_set, registration.get("period", ""), unit))
                imported += 1
        status = "SUCCESS" if not conflicts else ("WARNING" if imported else "ERROR")
        summary = {
            "responseType": "ImportSummary",
            "status": status,
            "importCount": {"imported": imported, "updated": 0, "ignored": len(conflicts), "deleted": 0},
            "conflicts": conflicts,
        }
        if not self.wraps:
            return 200, summary
        http, code = ("Conflict", 409) if conflicts else ("OK", 200)
        return code, {"httpStatus": http, "httpStatusCode": code, "status": status, "response": summary}

    def _check(
        self, value: dict[str, Any], elements: dict[str, Any], units: dict[str, Any], combos: dict[str, Any]
    ) -> tuple[str, str, str, str] | None:
        element = elements.get(value.get("dataElement", ""))
        if element is None:
            de = value.get("dataElement", "")
            return "E7610", "dataElement", de, f"Data element not found or not accessible: `{de}`"
        ou = value.get("orgUnit", "")
        if ou not in units:
            return "E7612", "orgUnit", ou, f"Organisation unit not found or not accessible: `{ou}`"
        coc = value.get("categoryOptionCombo")
        if coc is not None and coc not in combos:
            return (
                "E7613",
                "categoryOptionCombo",
                coc,
                f"Category option combo not found or not accessible for writing data: `{coc}`",
            )
        period = value.get("period", "")
        if period in self.locked_periods:
            return (
                "E7640",
                "period",
                period,
                f"Current date is past expiry days for period: `{period}`  and data set: `{DATA_SET}`",
            )
        raw = str(value.get("value", ""))
        if element.get("valueType") in INTEGER_TYPES and not raw.lstrip("-").isdigit():
            return (
                "E7619",
                "value",
                raw,
                f"Value must match data element's `{element['id']}` type constraints: "
                "Value must be an integer",
            )
        return None


def _handler_for(fake: FakeDhis2) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self._serve()

        def do_GET(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8") if length else ""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            url = urlsplit(self.path)
            request = RecordedRequest(
                method=self.command,
                path=url.path,
                query={key: values[0] for key, values in parse_qs(url.query).items()},
                headers={key.lower(): value for key, value in self.headers.items()},
                body=body,
            )
            fake.requests.append(request)
            status, answer = fake.answer(request)
            data = (answer if isinstance(answer, str) else json.dumps(answer)).encode("utf-8")
            kind = "text/html" if isinstance(answer, str) else "application/json"
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
