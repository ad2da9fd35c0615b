"""POST /api/v1/visits/ (record a home visit, idempotent on the client id) and reads."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from keneya.accounts.api_permissions import CLINICAL_READ, HasAnyCapability
from keneya.accounts.permissions import Capability
from keneya.core.api import ID_TAKEN_SCHEMA
from keneya.core.errors import IdTaken
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.visits import queries, services
from keneya.visits.models import Visit, VisitKind


class VisitSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(required=False, help_text="UUID généré par la tablette.")
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    kind = serializers.ChoiceField(choices=VisitKind.choices)
    findings = serializers.DictField(
        required=False, default=dict, help_text="Constats, clés de clinical-rules.md §1.7"
    )
    measurements = serializers.DictField(
        required=False,
        default=dict,
        help_text="weight_kg, length_or_height_cm, measured_position (L/H), muac_mm, "
        "head_circumference_cm, lmp, edd",
    )
    device_assessment = serializers.DictField(
        required=False, write_only=True, help_text="Ce que la tablette a affiché."
    )
    alerts = serializers.SerializerMethodField()
    referral = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "person",
            "household",
            "chw",
            "kind",
            "visit_date",
            "findings",
            "measurements",
            "assessment",
            "engine_version",
            "urgent",
            "action",
            "follow_up_days",
            "recorded_at",
            "device_assessment",
            "alerts",
            "referral",
        ]
        read_only_fields = [
            "household",
            "chw",
            "assessment",
            "engine_version",
            "urgent",
            "action",
            "follow_up_days",
            "recorded_at",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            field: Any = self.fields["person"]
            field.queryset = persons_visible_to(request.user).select_related("household")

    def get_alerts(self, visit: Visit) -> list[dict[str, Any]]:
        return [
            {"id": str(a.pk), "priority": a.priority, "status": a.status, "title": a.title}
            for a in visit.alerts.all()
        ]

    def get_referral(self, visit: Visit) -> dict[str, Any] | None:
        referral = getattr(visit, "referral", None)
        if referral is None:
            return None
        return {
            "id": str(referral.pk),
            "status": referral.status,
            "to_facility": referral.to_facility.name,
            "issued_at": referral.issued_at.isoformat(),
        }


SICK_CHILD_EXAMPLE = {
    "id": "0b6a3f5e-2c1d-4e8a-9f10-1a2b3c4d5e6f",
    "person": "<uuid>",
    "visit_date": "2026-03-02",
    "kind": "sick_child",
    "findings": {"cough": True, "chest_indrawing": True},
    "measurements": {"weight_kg": 9.2, "muac_mm": 131},
}


class VisitViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    serializer_class = VisitSerializer
    permission_classes = [HasAnyCapability]
    # Visits carry clinical findings: read by the clinical roles and by the CHWs who record
    # them (their own households, by scope); not by the social worker (issue #10).
    required_capabilities = {"POST": Capability.VISIT_RECORD, "GET": CLINICAL_READ}
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Visit]:
        return (
            queries.visits_visible_to(self.request.user)
            .select_related("referral", "referral__to_facility")
            .prefetch_related("alerts")
        )

    @extend_schema(
        summary="Enregistrer une visite à domicile (idempotent sur id)",
        examples=[OpenApiExample("Enfant malade", value=SICK_CHILD_EXAMPLE, request_only=True)],
        responses={201: VisitSerializer, 200: VisitSerializer, 409: ID_TAKEN_SCHEMA},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existed = data.get("id") is not None and Visit.objects.filter(pk=data["id"]).exists()
        try:
            visit = services.record_home_visit(
                by=request.user,
                person=data["person"],
                visit_date=data["visit_date"],
                kind=data["kind"],
                findings=data.get("findings"),
                measurements=data.get("measurements"),
                id=data.get("id"),
                device_assessment=data.get("device_assessment"),
            )
        except IdTaken:
            raise  # the 409 that reveals nothing (core.api.exception_handler)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        visit = (
            Visit.objects.select_related("referral", "referral__to_facility")
            .prefetch_related("alerts")
            .get(pk=visit.pk)
        )
        return Response(
            self.get_serializer(visit).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


class PersonVisitsView(generics.ListAPIView):
    """``GET /api/v1/persons/{id}/visits/``: a person's visits, newest first. Clinical data: the
    clinical capability (or the CHW's) before the scope (issue #10); a person outside scope is a
    404. It lives here, not in ``people``, which sits below visits."""

    serializer_class = VisitSerializer
    permission_classes = [HasAnyCapability]
    required_capabilities = {"GET": CLINICAL_READ}

    @extend_schema(summary="Visites d'une personne (les plus récentes d'abord)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Visit]:
        person = get_object_or_404(persons_visible_to(self.request.user), pk=self.kwargs["pk"])
        return (
            queries.visit_history(person=person)
            .select_related("referral", "referral__to_facility")
            .prefetch_related("alerts")
        )
