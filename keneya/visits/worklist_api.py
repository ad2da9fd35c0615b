"""GET /api/v1/tasks/?on=YYYY-MM-DD: the CHW's task list as JSON (see ``visits.worklist``)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keneya.accounts.permissions import Capability, HasCapability
from keneya.visits.worklist import KINDS, STATUSES, tasks_for_chw

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
BAD_DATE_FR = "Date invalide : utilisez le format AAAA-MM-JJ (par exemple 2026-03-02)."
# A tablet may ask for a coming day; further than this is a mistake (and dates near year 9999
# would overflow the windows).
MAX_DAYS_FROM_TODAY = 366
FAR_DATE_FR = "La date doit être à moins d'un an d'aujourd'hui."


class TaskSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="Stable : uuid5(type, sujet, début de la fenêtre).")
    kind = serializers.ChoiceField(choices=KINDS)
    person_id = serializers.UUIDField()
    household_id = serializers.UUIDField()
    person_name = serializers.CharField()
    household_code = serializers.CharField()
    title_fr = serializers.CharField()
    due_from = serializers.DateField(help_text="Premier jour de la fenêtre.")
    due_by = serializers.DateField(help_text="Dernier jour ; en retard à partir du lendemain.")
    status = serializers.ChoiceField(choices=STATUSES)
    detail_fr = serializers.CharField()
    source = serializers.CharField(  # type: ignore[assignment]  # a field, not Field.source
        help_text="visit:<id>, referral:<id>, alert:<id> ou le calendrier (PEV, CPN/CPoN, programme)."
    )


class TaskListSerializer(serializers.Serializer):
    on = serializers.DateField()
    tasks = TaskSerializer(many=True)


class BadDateSerializer(serializers.Serializer):
    on = serializers.ListField(child=serializers.CharField())


class TaskListView(APIView):
    """The tasks of the households assigned to the caller (a CHW)."""

    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.VISIT_RECORD}

    @extend_schema(
        summary="Tâches du relais (visites dues, suivis, références, vaccins, CPN, CPoN)",
        description=(
            "Tâches calculées à la date `on` (aujourd'hui par défaut) pour les ménages assignés "
            "au relais connecté : en retard d'abord, puis à faire, puis à venir (7 jours). Rien "
            "n'est stocké : une tâche disparaît quand la visite qui la fait est enregistrée."
        ),
        parameters=[
            OpenApiParameter(
                "on",
                str,
                required=False,
                description="Date AAAA-MM-JJ, à moins d'un an d'aujourd'hui (défaut : aujourd'hui).",
            )
        ],
        responses={
            200: TaskListSerializer,
            400: OpenApiResponse(BadDateSerializer, description="Date invalide."),
        },
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("on", "").strip()
        if raw:
            try:
                if not ISO_DATE.fullmatch(raw):
                    raise ValueError(raw)
                on = date.fromisoformat(raw)
            except ValueError:
                return Response({"on": [BAD_DATE_FR]}, status=status.HTTP_400_BAD_REQUEST)
            if abs(on - timezone.localdate()) > timedelta(days=MAX_DAYS_FROM_TODAY):
                return Response({"on": [FAR_DATE_FR]}, status=status.HTTP_400_BAD_REQUEST)
        else:
            on = timezone.localdate()
        tasks = tasks_for_chw(chw=request.user, on=on)
        return Response({"on": on.isoformat(), "tasks": [t.as_dict() for t in tasks]})
