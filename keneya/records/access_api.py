"""The access log, break the glass and a person's data export through the API (issue #10).

``GET /api/v1/persons/{id}/access-log/`` (facility manager in scope, administrator),
``POST /api/v1/persons/{id}/break-glass/`` (clinician, specialist: ``{"reason": ...}``),
``GET /api/v1/persons/{id}/export/`` (administrator).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keneya.people.models import Person
from keneya.records import access, privacy

ACCESS_LIMIT = 1000

AccessEntrySerializer = inline_serializer(
    "AccessEntry",
    {
        "user": serializers.CharField(),
        "user_name": serializers.CharField(),
        "role": serializers.CharField(),
        "at": serializers.DateTimeField(),
        "action": serializers.CharField(),
        "reason": serializers.CharField(),
        "break_glass": serializers.BooleanField(),
    },
    many=True,
)


class PersonAccessLogView(APIView):
    """Who read this person's data, newest first (the last 1,000 reads)."""

    @extend_schema(summary="Journal des accès au dossier d'une personne", responses=AccessEntrySerializer)
    def get(self, request: Request, person_id: Any) -> Response:
        try:
            person = access.audited_person(user=request.user, person_id=person_id)
        except Person.DoesNotExist:
            raise Http404 from None
        rows = access.access_log(person=person)[:ACCESS_LIMIT]
        return Response([access.access_entry(row) for row in rows])


class BreakGlassRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=access.REASON_MAX, required=False, allow_blank=True)


class PersonBreakGlassView(APIView):
    """Open a record outside one's scope, with a reason. Without a reason: 404, as before."""

    @extend_schema(
        summary="Accès d'urgence à un dossier hors périmètre (bris de glace)",
        request=BreakGlassRequestSerializer,
        responses={
            201: inline_serializer(
                "BreakGlassGrant",
                {"person": serializers.UUIDField(), "expires_at": serializers.DateTimeField(allow_null=True)},
            )
        },
    )
    def post(self, request: Request, person_id: Any) -> Response:
        if not access.may_break_glass(request.user):
            raise PermissionDenied
        data = request.data if isinstance(request.data, dict) else {}
        reason = data.get("reason") if isinstance(data.get("reason"), str) else ""
        try:
            grant = access.open_break_glass(by=request.user, person_id=person_id, reason=reason or "")
        except (Person.DoesNotExist, DjangoValidationError):
            raise Http404 from None
        expires = grant.expires_at.isoformat() if grant is not None else None
        return Response({"person": str(person_id), "expires_at": expires}, status=status.HTTP_201_CREATED)


class PersonExportView(APIView):
    """Everything Kènèya holds on a person (administrator, on the person's request)."""

    @extend_schema(summary="Export des données d'une personne", responses={200: dict})
    def get(self, request: Request, person_id: Any) -> Response:
        try:
            person = privacy.person_for_privacy(user=request.user, person_id=person_id)
        except Person.DoesNotExist:
            raise Http404 from None
        return Response(privacy.export_person_data(by=request.user, person=person))
