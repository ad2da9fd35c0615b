"""Talking to a DHIS2 instance through ``dhis2-client`` (HISP Centre, University of Oslo).

The library gives the HTTP session (httpx), the two authentications (HTTP Basic, or a personal
access token sent as ``Authorization: ApiToken …``) and DHIS2's error payloads
(``DHIS2HTTPError.payload``). This module adds what the push needs: the import parameters, the
import summary read in both of its shapes (``summary.py``), and a verdict on each failure: worth
retrying (a server error, a timeout, the network) or not (bad credentials, a refused request).

Settings (environment only, docs/dhis2.md): ``DHIS2_URL``, ``DHIS2_TOKEN`` or
``DHIS2_USERNAME`` + ``DHIS2_PASSWORD``, ``DHIS2_TIMEOUT``. Nothing here logs a credential, a
payload or a value: the push id, the HTTP status and DHIS2's counts only.
"""

from __future__ import annotations

import atexit
import logging
from dataclasses import dataclass
from typing import Any

import httpx
from dhis2_client import DHIS2Client, DHIS2HTTPError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from keneya.interop.dhis2.summary import ImportSummary, NotASummary, parse_import_summary

logger = logging.getLogger(__name__)

DATA_VALUE_SETS = "/api/dataValueSets"
COMPLETE_REGISTRATIONS = "/api/completeDataSetRegistrations"
METADATA = "/api/metadata"
SYSTEM_INFO = "/api/system/info"
# The metadata the mapping needs, with the fields it reads.
METADATA_PARAMS = {
    "organisationUnits": "true",
    "dataElements": "true",
    "categoryOptionCombos": "true",
    "dataSets": "true",
    "fields": "id,code,name,displayName,valueType,periodType,categoryCombo[id],"
    "dataSetElements[dataElement[id]],dataElements[id]",
}
FIRST_SERVER_ERROR = 500
RETRYABLE_STATUSES = {408, 429}
IMPORT_STRATEGIES = ("CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE")


class Dhis2Error(Exception):
    """DHIS2 gave no import summary. ``retryable``: the same push may succeed later."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


@dataclass(frozen=True)
class Answer:
    """An import summary and the HTTP status it came with (200, or 409 from 2.38 with conflicts)."""

    summary: ImportSummary
    http_status: int
    body: dict[str, Any]


def is_configured() -> bool:
    return bool(
        getattr(settings, "DHIS2_URL", "")
        and (
            getattr(settings, "DHIS2_TOKEN", "")
            or (getattr(settings, "DHIS2_USERNAME", "") and getattr(settings, "DHIS2_PASSWORD", ""))
        )
    )


def server_url() -> str:
    return str(getattr(settings, "DHIS2_URL", "") or "").rstrip("/")


def import_params(*, dry_run: bool, scheme: str, strategy: str) -> dict[str, str]:
    """The standard import parameters of ``POST /api/dataValueSets``."""
    if strategy not in IMPORT_STRATEGIES:
        raise ImproperlyConfigured(f"DHIS2_IMPORT_STRATEGY={strategy!r}: use one of {IMPORT_STRATEGIES}.")
    return {
        "dryRun": "true" if dry_run else "false",
        "idScheme": scheme,
        "dataElementIdScheme": scheme,
        "orgUnitIdScheme": scheme,
        "categoryOptionComboIdScheme": scheme,
        "importStrategy": strategy,
    }


class Connection:
    """One DHIS2 session. ``close()`` when done (the worker opens one per push)."""

    def __init__(
        self,
        *,
        base_url: str,
        username: str = "",
        password: str = "",
        token: str = "",
        timeout: float = 60.0,
    ) -> None:
        if not base_url:
            raise ImproperlyConfigured("DHIS2_URL is not set.")
        if not token and not (username and password):
            raise ImproperlyConfigured("Set DHIS2_TOKEN, or DHIS2_USERNAME and DHIS2_PASSWORD.")
        # A token wins over a password: it can be scoped and revoked without touching the user.
        self._client = DHIS2Client(
            base_url,
            username=None if token else username,
            password=None if token else password,
            token=token or None,
            timeout=timeout,
            connect_timeout=min(timeout, 10.0),
            retries=0,  # the worker retries, with back-off, across runs
        )

    @classmethod
    def from_settings(cls) -> Connection:
        return cls(
            base_url=server_url(),
            username=str(getattr(settings, "DHIS2_USERNAME", "") or ""),
            password=str(getattr(settings, "DHIS2_PASSWORD", "") or ""),
            token=str(getattr(settings, "DHIS2_TOKEN", "") or ""),
            timeout=float(getattr(settings, "DHIS2_TIMEOUT", 60.0)),
        )

    def close(self) -> None:
        self._client.close()
        atexit.unregister(self._client.close)  # the library registers one per client

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        send = self._client.post if method == "POST" else self._client.get
        try:
            return send(path, **kwargs)
        except httpx.TimeoutException as exc:
            # A push that timed out may have been imported: a retry with CREATE_AND_UPDATE writes
            # the same values again, which DHIS2 counts as "updated" (no duplicate).
            raise Dhis2Error(f"timeout ({type(exc).__name__})", retryable=True) from exc
        except httpx.HTTPError as exc:
            raise Dhis2Error(f"network error ({type(exc).__name__})", retryable=True) from exc
        except ValueError as exc:  # a 2xx whose body is not JSON (a proxy's login page)
            raise Dhis2Error("unreadable answer (not JSON)", retryable=False) from exc

    def post_data_value_set(self, payload: dict[str, Any], params: dict[str, str]) -> Answer:
        """Send a data value set; the import summary, or ``Dhis2Error``."""
        return self._import(DATA_VALUE_SETS, payload, params)

    def register_completion(self, *, data_set: str, period: str, org_units: list[str], scheme: str) -> Answer:
        """Mark the data set complete for ``period`` (``YYYYMM``) and each org unit: what DHIS2's
        own reporting rates (complete, on time) count."""
        payload = {
            "completeDataSetRegistrations": [
                {"dataSet": data_set, "period": period, "organisationUnit": unit, "completed": True}
                for unit in org_units
            ]
        }
        params = {"idScheme": scheme, "dataSetIdScheme": scheme, "orgUnitIdScheme": scheme}
        return self._import(COMPLETE_REGISTRATIONS, payload, params)

    def _import(self, path: str, payload: dict[str, Any], params: dict[str, str]) -> Answer:
        try:
            body = self._call("POST", path, params=params, json=payload)
            status = 200
        except DHIS2HTTPError as exc:
            body, status = exc.payload, exc.status_code
            if status >= FIRST_SERVER_ERROR or status in RETRYABLE_STATUSES:
                raise Dhis2Error(f"HTTP {status}", retryable=True, status=status) from exc
            if status in (401, 403):
                raise Dhis2Error(
                    f"HTTP {status}: credentials refused or not allowed", retryable=False, status=status
                ) from exc
            try:  # 409 (2.38+) and some 400s carry the summary with its conflicts
                return Answer(parse_import_summary(body), status, body)
            except NotASummary:
                raise Dhis2Error(f"HTTP {status}", retryable=False, status=status) from exc
        try:
            return Answer(parse_import_summary(body), status, body)
        except NotASummary as exc:
            raise Dhis2Error("answer without an import summary", retryable=False, status=status) from exc

    def metadata(self) -> dict[str, Any]:
        """``GET /api/metadata`` restricted to what the mapping reads."""
        try:
            return self._call("GET", METADATA, params=dict(METADATA_PARAMS))
        except DHIS2HTTPError as exc:
            raise Dhis2Error(
                f"HTTP {exc.status_code}",
                retryable=exc.status_code >= FIRST_SERVER_ERROR,
                status=exc.status_code,
            ) from exc

    def me(self) -> dict[str, Any]:
        """The account the credentials open (``GET /api/me``)."""
        try:
            return self._call("GET", "/api/me", params={"fields": "id,username,displayName"})
        except DHIS2HTTPError as exc:
            raise Dhis2Error(
                f"HTTP {exc.status_code}",
                retryable=exc.status_code >= FIRST_SERVER_ERROR,
                status=exc.status_code,
            ) from exc

    def system_info(self) -> dict[str, Any]:
        try:
            return self._call("GET", SYSTEM_INFO)
        except DHIS2HTTPError as exc:
            raise Dhis2Error(
                f"HTTP {exc.status_code}",
                retryable=exc.status_code >= FIRST_SERVER_ERROR,
                status=exc.status_code,
            ) from exc
