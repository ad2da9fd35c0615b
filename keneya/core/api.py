"""Shared API plumbing: pagination, errors as 4xx JSON (never a 500 for bad input), and
serializers that build their fields once.

Bad bodies never reach a recursive parser: ``ApiGuardMiddleware`` refuses JSON nested deeper
than ``MAX_JSON_DEPTH`` on every ``/api/`` path (DRF views or not) and turns any HTML error page
there into a JSON body; ``core.parsers.JSONParser`` (DRF's default parser here) checks the
depth and the size of what it parses itself, for bodies the middleware leaves to it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from keneya.core.errors import ID_TAKEN_CODE, ID_TAKEN_MESSAGE, IdTaken
from keneya.core.parsers import BODY_TOO_LARGE, JSON_TOO_DEEP, json_too_deep
from keneya.core.readers import plan_for, reader


class FieldsBuiltOnce:
    """ModelSerializer mixin: introspect the model once per class, then copy the fields.

    DRF's ModelSerializer rebuilds every field from the model for each serializer it makes:
    0.5 ms of a 4 ms person lookup. The built fields depend on ``Meta`` only, never on the
    request or the instance, so they are built once and deep-copied per serializer, the way DRF
    copies declared fields. A serializer that adjusts its fields per request does so on the
    copy (in ``__init__``, as ``PersonSerializer`` does).
    """

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            cls._fields_built_once = built  # type: ignore[attr-defined]
        return copy.deepcopy(built)

    @classmethod
    def represent(cls, instance: Any) -> Any:
        """``cls(instance).data`` without building a serializer and copying its fields each
        time: one context-free serializer per class reads every instance (0.3 of a lookup's
        ~2 ms), by its plan when it has one (``core.readers``). Only for serializers whose
        fields need no request to show a value."""
        shown: Any = cls.__dict__.get("_reader")
        if shown is None:
            shown = cls()  # type: ignore[call-arg]
            shown.fields  # noqa: B018 (bound once, here)
            shown._plan = plan_for(shown)
            cls._reader = shown  # type: ignore[attr-defined]
        if shown._plan is None:
            return shown.to_representation(instance)
        return reader(shown._plan)(instance)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class SearchPagination(Pagination):
    """Page numbers without the total count when a search term is given.

    Counting every match of a common surname among 500,000 persons costs more than the page
    itself (158 of 300 ms, docs/benchmarks.md); a search answers ``count: null`` and a ``next``
    link computed from one extra row.
    """

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        if not request.query_params.get("search"):
            self._countless = False
            return super().paginate_queryset(queryset, request, view)
        self._countless = True
        self.request = request
        size = self.get_page_size(request) or self.page_size
        try:
            number = max(int(request.query_params.get(self.page_query_param, 1)), 1)
        except ValueError:
            number = 1
        start = (number - 1) * size
        rows = list(queryset[start : start + size + 1])
        self._has_next, self._number, self._size = len(rows) > size, number, size
        return rows[:size]

    def get_paginated_response(self, data: Any) -> Response:
        if not getattr(self, "_countless", False):
            return super().get_paginated_response(data)
        from rest_framework.utils.urls import remove_query_param, replace_query_param

        assert self.request is not None
        url = self.request.build_absolute_uri()
        next_url = (
            replace_query_param(url, self.page_query_param, self._number + 1) if self._has_next else None
        )
        if self._number <= 1:
            previous_url = None
        elif self._number == 2:
            previous_url = remove_query_param(url, self.page_query_param)
        else:
            previous_url = replace_query_param(url, self.page_query_param, self._number - 1)
        return Response({"count": None, "next": next_url, "previous": previous_url, "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["nullable"] = True
        return response


def validation_error_detail(exc: DjangoValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


class ApiErrorSerializer(serializers.Serializer):
    """An error body that names its cause: ``{"code": "id_taken", "detail": "..."}``."""

    code = serializers.CharField()
    detail = serializers.CharField()


ID_TAKEN_SCHEMA = OpenApiResponse(
    ApiErrorSerializer,
    description="Identifiant déjà utilisé par un autre enregistrement (rien n'en est dit) : "
    '{"code": "id_taken", "detail": "Cet identifiant est déjà utilisé."}',
)


def id_taken_response() -> Response:
    """The one answer to a create whose client id is taken (``core.errors.IdTaken``)."""
    return Response({"code": ID_TAKEN_CODE, "detail": str(ID_TAKEN_MESSAGE)}, status=status.HTTP_409_CONFLICT)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django's ValidationError (raised by services) as a 400, and an id
    taken as the 409 that reveals nothing."""
    if isinstance(exc, IdTaken):
        return id_taken_response()
    if isinstance(exc, RequestDataTooBig):
        return Response(dict(BODY_TOO_LARGE), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, exceptions.APIException)
        and isinstance(response.data, dict)
        and set(response.data) == {"detail"}
    ):
        # Every refusal names its cause for the client: {"code": "not_authenticated", ...}.
        codes = exc.get_codes()
        response.data["code"] = codes if isinstance(codes, str) else exc.default_code
    return response


_API_ERROR_CODES = {
    400: ("bad_request", "Requête invalide."),
    401: ("not_authenticated", "Authentification requise."),
    403: ("permission_denied", "Accès refusé."),
    404: ("not_found", "Introuvable."),
    405: ("method_not_allowed", "Méthode non autorisée."),
    413: ("body_too_large", "Corps de la requête trop volumineux."),
    500: ("server_error", "Erreur du serveur."),
}


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


class ApiGuardMiddleware:
    """On ``/api/`` paths: a JSON body nested too deep is a 400 before any view parses it, and
    an error page Django would draw in HTML (a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, an
    unknown URL, a CSRF failure...) is a JSON body ``{"code", "detail"}`` with the same status.

    Bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` or compressed are left to the view's parser
    (``JSONParser`` here, the sync endpoints' own parser), which checks them as it reads.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        refused = self._refuse_deep_json(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if response.status_code >= 400 and response.get("Content-Type", "").startswith("text/html"):
            fallback = _API_ERROR_CODES[500 if response.status_code >= 500 else 400]
            code, detail = _API_ERROR_CODES.get(response.status_code, fallback)
            converted = JsonResponse({"code": code, "detail": detail}, status=response.status_code)
            for header in ("WWW-Authenticate", "Allow", "Retry-After"):
                if header in response:
                    converted[header] = response[header]
            return converted
        return response

    @staticmethod
    def _refuse_deep_json(request: HttpRequest) -> HttpResponse | None:
        if not _is_json(request.META.get("CONTENT_TYPE", "")):
            return None
        if request.META.get("HTTP_CONTENT_ENCODING", "").strip().lower() not in ("", "identity"):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length <= 0 or (limit is not None and length > limit):
            return None
        if json_too_deep(request.body):
            return JsonResponse(JSON_TOO_DEEP, status=status.HTTP_400_BAD_REQUEST)
        return None


# --- OpenAPI: what the schema says of errors ----------------------------------------------------
_STRINGS = {"type": "array", "items": {"type": "string"}}
_ERROR_BODY = {
    "type": "object",
    "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
    "required": ["detail"],
}
# POST /api/v1/auth/token/: field errors (a missing username...), wrong credentials
# (non_field_errors), a body that is not JSON or too deep (code, detail).
_TOKEN_ERRORS = {
    "400": {
        "description": "Identifiants manquants ou invalides, ou corps illisible.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "username": _STRINGS,
                        "password": _STRINGS,
                        "non_field_errors": _STRINGS,
                        "code": {"type": "string"},
                        "detail": {"type": "string"},
                    },
                }
            }
        },
    },
    "403": {
        "description": "Compte bloqué après trop d'échecs.",
        "content": {"application/json": {"schema": _ERROR_BODY}},
    },
    "415": {
        "description": "Type de contenu non pris en charge.",
        "content": {"application/json": {"schema": _ERROR_BODY}},
    },
    "429": {
        "description": "Trop de tentatives : réessayez dans une minute.",
        "content": {"application/json": {"schema": _ERROR_BODY}},
    },
}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: the token endpoint's error answers as it gives
    them (settings ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``)."""
    token = result.get("paths", {}).get("/api/v1/auth/token/", {}).get("post")
    if token is not None:
        token.setdefault("responses", {}).update(copy.deepcopy(_TOKEN_ERRORS))
    return result
