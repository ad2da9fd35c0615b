"""``Authorization: Device <token>``: the tablet's own credential for push and pull.

A revoked tablet gets ``401 {"code": "device_revoked", "detail": ...}``: the app then locks and
clears its local data. An unknown token gets ``401 {"code": "invalid_token", ...}``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from keneya.sync import services
from keneya.sync.models import Device

KEYWORD = "Device"


class DeviceTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Device] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() != KEYWORD.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                {"code": "invalid_token", "detail": "En-tête attendu : « Device <jeton> »."}
            )
        try:
            device = services.authenticate_device(parts[1].decode("latin-1"))
        except services.SyncError as exc:
            raise exceptions.AuthenticationFailed({"code": exc.code, "detail": str(exc)}) from None
        return device.user, device

    def authenticate_header(self, request: Any) -> str:
        # Makes DRF answer 401 (not 403) when the header is missing or refused.
        return KEYWORD


class DeviceTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "keneya.sync.authentication.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Device <jeton>` : le jeton reçu à l'enregistrement de la "
            "tablette (POST /api/v1/sync/devices/).",
        }
