"""GET /api/v1/tasks/?on=YYYY-MM-DD: the CHW's task list as JSON (see ``visits.worklist``).

Optional filters ``kind`` (one of ``KINDS``) and ``household`` (a household id; another CHW's
household gives an empty list, as one without tasks). Paging only when ``page`` or
``page_size`` is given (``core.api.Pagination``'s sizes): the answer then adds ``count``,
``next`` and ``previous`` beside ``on`` and ``tasks``; without them the whole list comes, as
the tablet's sync reads it.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keneya.accounts.permissions import Capability, HasCapability
from keneya.core.api import Pagination
from keneya.worklist.queries import KINDS, STATUSES, filter_tasks, tasks_for_chw

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
BAD_DATE_FR = "Date invalide : utilisez le format AAAA-MM-JJ (par exemple 2026-03-02)."
# A tablet may ask for a coming day; further than this is a mistake (and dates near year 9999
# would overflow the windows).
MAX_DAYS_FROM_TODAY = 366
FAR_DATE_FR = "La date doit être à moins d'un an d'aujourd'hui."
BAD_KIND_FR = "Type de tâche inconnu."
BAD_HOUSEHOLD_FR = "Identifiant de ménage invalide."


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
    count = serializers.IntegerField(required=False, help_text="Avec page/page_size : le total filtré.")
    next = serializers.URLField(required=False, allow_null=True, help_text="Avec page/page_size.")
    previous = serializers.URLField(required=False, allow_null=True, help_text="Avec page/page_size.")


class BadParameterSerializer(serializers.Serializer):
    on = serializers.ListField(child=serializers.CharField(), required=False)
    kind = serializers.ListField(child=serializers.CharField(), required=False)
    household = serializers.ListField(child=serializers.CharField(), required=False)


class TaskListView(APIView):
    """The tasks of the households assigned to the caller (a CHW)."""

    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.VISIT_RECORD}

    @extend_schema(
        summary="Tâches du relais (visites dues, suivis, références, vaccins, CPN, CPoN)",
        description=(
            "Tâches calculées à la date `on` (aujourd'hui par défaut) pour les ménages assignés "
            "au relais connecté, dans l'ordre de la liste : aujourd'hui, en retard, cette semaine, "
            "plus tard ; dans chaque groupe les tâches urgentes (références, convocations, suivis, "
            "visites postnatales) puis la date limite. Les tâches à venir commencent dans les 7 "
            "jours. Rien n'est stocké : une tâche disparaît quand la visite qui la fait est "
            "enregistrée. Filtres `kind` et `household` ; pagination seulement avec `page` ou "
            "`page_size` (ajoute `count`, `next`, `previous`)."
        ),
        parameters=[
            OpenApiParameter(
                "on",
                str,
                required=False,
                description="Date AAAA-MM-JJ, à moins d'un an d'aujourd'hui (défaut : aujourd'hui).",
            ),
            OpenApiParameter("kind", str, required=False, enum=KINDS, description="Type de tâche."),
            OpenApiParameter("household", uuid.UUID, required=False, description="Identifiant du ménage."),
            OpenApiParameter("page", int, required=False, description="Numéro de page (pagine la liste)."),
            OpenApiParameter(
                "page_size",
                int,
                required=False,
                description=(
                    f"Tâches par page (défaut {Pagination.page_size}, au plus {Pagination.max_page_size})."
                ),
            ),
        ],
        responses={
            200: TaskListSerializer,
            400: OpenApiResponse(BadParameterSerializer, description="Date, type ou ménage invalide."),
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
        kind = request.query_params.get("kind", "").strip() or None
        if kind is not None and kind not in KINDS:
            return Response({"kind": [BAD_KIND_FR]}, status=status.HTTP_400_BAD_REQUEST)
        raw_household = request.query_params.get("household", "").strip()
        try:
            household = uuid.UUID(raw_household) if raw_household else None
        except ValueError:
            return Response({"household": [BAD_HOUSEHOLD_FR]}, status=status.HTTP_400_BAD_REQUEST)
        tasks = filter_tasks(tasks_for_chw(chw=request.user, on=on), kind=kind, household_id=household)
        body: dict[str, Any] = {"on": on.isoformat()}
        if "page" in request.query_params or "page_size" in request.query_params:
            paginator = Pagination()  # 404 for a page past the end, as every list
            page = paginator.paginate_queryset(tasks, request, view=self)  # type: ignore[arg-type]
            assert page is not None and paginator.page is not None
            tasks = list(page)
            body.update(
                count=paginator.page.paginator.count,
                next=paginator.get_next_link(),
                previous=paginator.get_previous_link(),
            )
        body["tasks"] = [t.as_dict() for t in tasks]
        return Response(body)
