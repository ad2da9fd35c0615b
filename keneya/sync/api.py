"""Sync endpoints under /api/v1/sync/ (docs/sync.md).

Tablet registration uses the user's token (or session); push and pull use the tablet's own
``Authorization: Device <token>``. Push accepts a gzip body (``Content-Encoding: gzip``, at most
``MAX_BODY_BYTES`` once decompressed); push and pull answer gzip to ``Accept-Encoding: gzip``.
Bad input is a 4xx JSON body, never a 500.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.gzip import gzip_page
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keneya.accounts.permissions import Capability, HasCapability, has_capability
from keneya.core.parsers import JSONTooDeep, json_too_deep
from keneya.sync import queries, services
from keneya.sync.authentication import DeviceTokenAuthentication
from keneya.sync.models import Device, SyncConflict
from keneya.sync.registry import SYNC_TYPES

# A batch of 1,000 records is about 1 MB of JSON; the cap stops a gzip bomb.
MAX_BODY_BYTES = 20 * 1024 * 1024


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Lot trop volumineux : 20 Mo au plus une fois décompressé."
    default_code = "payload_too_large"


class UnsupportedEncoding(exceptions.APIException):
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    default_detail = "Content-Encoding accepté : gzip (ou aucun)."
    default_code = "unsupported_encoding"


def gunzip_capped(data: bytes, limit: int) -> bytes:
    """Decompress a gzip body, refusing more than ``limit`` bytes of output."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        raise exceptions.ParseError("Corps gzip invalide.") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise PayloadTooLarge()
    if not inflater.eof:
        raise exceptions.ParseError("Corps gzip tronqué.")
    return out


class SyncJSONParser(BaseParser):
    """JSON, optionally gzip-compressed, with a size cap before and after decompression."""

    media_type = "application/json"

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        request = (parser_context or {}).get("request")
        meta = request.META if request is not None else {}
        encoding = meta.get("HTTP_CONTENT_ENCODING", "").strip().lower()
        raw = stream.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            raise PayloadTooLarge()
        if encoding == "gzip":
            raw = gunzip_capped(raw, MAX_BODY_BYTES)
        elif encoding not in ("", "identity"):
            raise UnsupportedEncoding()
        if json_too_deep(raw):  # checked after decompression, before the parser recurses
            raise JSONTooDeep()
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise exceptions.ParseError("JSON invalide.") from None


class IsSyncDevice(BasePermission):
    """Authenticated by a tablet token, and the tablet's user may still sync."""

    message = "Ce compte ne peut pas synchroniser de tablette."

    def has_permission(self, request: Any, view: Any) -> bool:
        return isinstance(request.auth, Device) and has_capability(request.user, Capability.SYNC_DEVICE)


def _error(exc: services.SyncError, code: int) -> Response:
    return Response({"code": exc.code, "detail": str(exc)}, status=code)


NOT_AUTHENTICATED = "Authentification requise."
FORBIDDEN = "Vous n'avez pas le droit de faire cette action."


# Every 401 and 403 of a sync endpoint has a ``code`` and a French ``detail``, as the other
# sync errors do: ``not_authenticated``, ``invalid_token``, ``device_revoked``,
# ``permission_denied``. (A comment, not a docstring: drf-spectacular would show it.)
class CodedErrors:
    def handle_exception(self, exc: Exception) -> Response:
        response: Response = super().handle_exception(exc)  # type: ignore[misc]
        if response.status_code not in (401, 403):
            return response
        data = response.data if isinstance(response.data, dict) else {}
        if "code" in data:
            return response
        if isinstance(exc, exceptions.NotAuthenticated):
            body = {"code": "not_authenticated", "detail": NOT_AUTHENTICATED}
        elif isinstance(exc, exceptions.AuthenticationFailed):
            body = {"code": "invalid_token", "detail": "Jeton invalide."}
        else:
            detail = data.get("detail")
            french = isinstance(detail, str) and detail != str(exceptions.PermissionDenied.default_detail)
            body = {"code": "permission_denied", "detail": str(detail) if french else FORBIDDEN}
        response.data = body
        return response


# --- Serializers (request validation and the OpenAPI description) -------------------------------
class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


class DeviceRegisterSerializer(serializers.Serializer):
    device_id = serializers.UUIDField(help_text="UUID généré par la tablette à l'installation.")
    name = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")


class DeviceTokenSerializer(serializers.Serializer):
    device_id = serializers.UUIDField()
    name = serializers.CharField()
    token = serializers.CharField(help_text="Montré une seule fois : seul son empreinte est gardée.")


class DeviceSerializer(serializers.ModelSerializer):
    device_id = serializers.UUIDField(source="id")
    chw = serializers.CharField(source="user.username")
    revoked_by = serializers.CharField(source="revoked_by.username", allow_null=True, default=None)

    class Meta:
        model = Device
        fields = ["device_id", "name", "chw", "created_at", "last_seen_at", "revoked_at", "revoked_by"]
        read_only_fields = fields


OP_ORDER = {"upsert": 0, "delete": 1, "create": 2}


def _type_names(direction: str) -> list[str]:
    types = sorted(SYNC_TYPES.values(), key=lambda t: (t.order, t.name))
    return [t.name for t in types if getattr(t.direction, direction)]


class RecordSerializer(serializers.Serializer):
    # Choices from the registry of syncable types (filled when the apps are ready).
    type = serializers.ChoiceField(choices=[])
    id = serializers.UUIDField()
    op = serializers.ChoiceField(choices=[])
    base_version = serializers.IntegerField(allow_null=True, required=False)
    changed_at = serializers.DateTimeField(
        required=False, help_text="Heure de la tablette (ménage, personne)."
    )
    fields = serializers.DictField()  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        declared: Any = self.fields  # type: ignore[has-type]
        declared["type"].choices = _type_names("pushed")
        ops = {op for t in SYNC_TYPES.values() if t.direction.pushed for op in t.ops}
        declared["op"].choices = sorted(ops, key=lambda op: (OP_ORDER.get(op, len(OP_ORDER)), op))


class PushRequestSerializer(serializers.Serializer):
    batch_id = serializers.UUIDField()
    records = RecordSerializer(many=True)


class RecordResultSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=["accepted", "duplicate", "rejected"])
    version = serializers.IntegerField(required=False)
    conflicts = serializers.ListField(child=serializers.CharField(), required=False)
    superseded = serializers.ListField(child=serializers.CharField(), required=False)
    review = serializers.BooleanField(required=False)
    assessment_mismatch = serializers.BooleanField(required=False)
    assessment = serializers.DictField(required=False)
    reason = serializers.ChoiceField(
        choices=["malformed", "validation", "forbidden", "id_taken"], required=False
    )
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class PushResponseSerializer(serializers.Serializer):
    batch_id = serializers.UUIDField()
    results = RecordResultSerializer(many=True)
    cursor = serializers.CharField()


class ChangeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[])
    id = serializers.UUIDField()
    op = serializers.ChoiceField(choices=["upsert", "delete"])
    version = serializers.IntegerField()
    data = serializers.DictField(required=False)  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        declared: Any = self.fields
        declared["type"].choices = _type_names("pulled")


class PullResponseSerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True)
    tasks = serializers.ListField(child=serializers.DictField(), allow_null=True)
    next_cursor = serializers.CharField()
    has_more = serializers.BooleanField()


class DeviceRefSerializer(serializers.Serializer):
    device_id = serializers.UUIDField()
    name = serializers.CharField()
    chw = serializers.CharField()


def _device_ref(device: Device | None) -> dict[str, Any] | None:
    if device is None:
        return None
    return {"device_id": str(device.pk), "name": device.name, "chw": device.user.username}


class ConflictSerializer(serializers.ModelSerializer):
    server_device = serializers.SerializerMethodField()
    incoming_device = serializers.SerializerMethodField()
    household_code = serializers.CharField(source="household.code")
    resolved_by = serializers.CharField(source="resolved_by.username", allow_null=True, default=None)

    class Meta:
        model = SyncConflict
        fields = [
            "id",
            "type",
            "object_id",
            "household",
            "household_code",
            "field",
            "server_value",
            "incoming_value",
            "kept",
            "server_device",
            "incoming_device",
            "server_changed_at",
            "incoming_changed_at",
            "created_at",
            "resolved_at",
            "resolved_by",
            "chosen_value",
        ]
        read_only_fields = fields

    @extend_schema_field(DeviceRefSerializer(allow_null=True))
    def get_server_device(self, conflict: SyncConflict) -> dict[str, Any] | None:
        return _device_ref(conflict.server_device)

    @extend_schema_field(DeviceRefSerializer)
    def get_incoming_device(self, conflict: SyncConflict) -> dict[str, Any] | None:
        return _device_ref(conflict.incoming_device)


class ResolveSerializer(serializers.Serializer):
    value = serializers.JSONField(
        help_text="La valeur retenue. Pour une demande de suppression "
        "(champ « _delete ») : « keep » ou l'identifiant "
        "de la fiche dans laquelle fusionner."
    )


# --- Views ------------------------------------------------------------------------------------
class DeviceListCreateView(CodedErrors, APIView):
    """POST: a CHW registers a tablet. GET: a supervisor lists the tablets of their zone."""

    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.SYNC_DEVICE, "GET": Capability.SYNC_SUPERVISE}

    @extend_schema(
        summary="Tablettes visibles par le superviseur", responses={200: DeviceSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        devices = queries.device_list(user=request.user)
        return Response(DeviceSerializer(devices, many=True).data)

    @extend_schema(
        summary="Enregistrer une tablette (relais)",
        request=DeviceRegisterSerializer,
        responses={
            201: DeviceTokenSerializer,
            200: OpenApiResponse(DeviceTokenSerializer, description="Déjà enregistrée : nouveau jeton."),
            403: OpenApiResponse(ErrorSerializer, description="Tablette révoquée."),
            409: OpenApiResponse(ErrorSerializer, description="Identifiant d'un autre relais."),
        },
    )
    def post(self, request: Request) -> Response:
        body = DeviceRegisterSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            device, token, created = services.register_device(
                by=request.user, device_id=body.validated_data["device_id"], name=body.validated_data["name"]
            )
        except services.DeviceRevoked as exc:
            return _error(exc, status.HTTP_403_FORBIDDEN)
        except services.DeviceTaken as exc:
            return _error(exc, status.HTTP_409_CONFLICT)
        return Response(
            {"device_id": str(device.pk), "name": device.name, "token": token},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class DeviceRevokeView(CodedErrors, APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.SYNC_SUPERVISE}

    @extend_schema(
        summary="Révoquer une tablette (perdue, volée, remise)",
        request=None,
        responses={200: DeviceSerializer},
    )
    def post(self, request: Request, device_id: Any) -> Response:
        device = get_object_or_404(queries.devices_visible_to(request.user), pk=device_id)
        device = services.revoke_device(by=request.user, device=device)
        return Response(DeviceSerializer(device).data)


@method_decorator(gzip_page, name="dispatch")
class PushView(CodedErrors, APIView):
    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [IsSyncDevice]
    parser_classes = [SyncJSONParser]

    @extend_schema(
        summary="Envoyer un lot d'enregistrements de la tablette",
        description=(
            "Chaque enregistrement est appliqué dans sa propre transaction, dans l'ordre. Un "
            "lot renvoyé (même `batch_id`) rend les résultats de la première fois. Corps gzip "
            "accepté (`Content-Encoding: gzip`, 20 Mo au plus décompressé). Voir docs/sync.md."
        ),
        request=PushRequestSerializer,
        responses={
            200: PushResponseSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Pas un lot."),
            401: OpenApiResponse(
                ErrorSerializer, description="Jeton invalide ou tablette révoquée (`device_revoked`)."
            ),
            409: OpenApiResponse(ErrorSerializer, description="`batch_id` d'une autre tablette."),
            413: OpenApiResponse(ErrorSerializer, description="Lot trop volumineux."),
        },
    )
    def post(self, request: Request) -> Response:
        try:
            result = services.push(device=cast(Device, request.auth), batch=request.data)
        except services.MalformedBatch as exc:
            return _error(exc, status.HTTP_400_BAD_REQUEST)
        except services.BatchTaken as exc:
            return _error(exc, status.HTTP_409_CONFLICT)
        return Response(result)


@method_decorator(gzip_page, name="dispatch")
class PullView(CodedErrors, APIView):
    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [IsSyncDevice]

    @extend_schema(
        summary="Recevoir les changements depuis un curseur",
        description=(
            "Sans curseur : depuis le début. Rappeler avec `next_cursor` tant que `has_more` "
            "est vrai. Les tâches viennent avec la dernière page (`null` avant)."
        ),
        parameters=[
            OpenApiParameter(
                "cursor",
                OpenApiTypes.STR,
                required=False,
                description="Le dernier `next_cursor` reçu (opaque).",
            ),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                required=False,
                description=f"Lignes du journal par page (défaut "
                f"{services.DEFAULT_PULL_LIMIT}, au plus "
                f"{services.MAX_PULL_LIMIT}).",
            ),
        ],
        responses={
            200: PullResponseSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Curseur invalide."),
            401: OpenApiResponse(ErrorSerializer, description="Jeton invalide ou tablette révoquée."),
        },
    )
    def get(self, request: Request) -> Response:
        raw_limit = request.query_params.get("limit", "")
        if raw_limit and not raw_limit.isdigit():
            return Response(
                {"code": "bad_limit", "detail": "« limit » : entier attendu."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        limit = int(raw_limit) if raw_limit else services.DEFAULT_PULL_LIMIT
        try:
            result = services.pull(
                device=cast(Device, request.auth), cursor=request.query_params.get("cursor"), limit=limit
            )
        except services.BadCursor as exc:
            return _error(exc, status.HTTP_400_BAD_REQUEST)
        return Response(result)


@extend_schema(
    summary="Conflits de synchronisation (superviseur)",
    parameters=[
        OpenApiParameter(
            "status",
            OpenApiTypes.STR,
            required=False,
            enum=["open", "resolved", "all"],
            description="Défaut : open.",
        )
    ],
)
class ConflictListView(CodedErrors, generics.ListAPIView):
    serializer_class = ConflictSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.SYNC_SUPERVISE}
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[SyncConflict]:
        return queries.conflict_list(
            user=self.request.user, status=self.request.query_params.get("status", "open")
        )


class ConflictResolveView(CodedErrors, APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.SYNC_SUPERVISE}

    @extend_schema(
        summary="Résoudre un conflit : choisir la valeur",
        request=ResolveSerializer,
        responses={200: ConflictSerializer},
    )
    def post(self, request: Request, conflict_id: int) -> Response:
        conflict = get_object_or_404(queries.conflicts_visible_to(request.user), pk=conflict_id)
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            conflict = services.resolve_conflict(
                by=request.user, conflict=conflict, value=body.validated_data["value"]
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        conflict = queries.conflict_list(user=request.user, status="all").get(pk=conflict.pk)
        return Response(ConflictSerializer(conflict).data)
