"""GET /api/v1/alerts/ (scoped, open first) and the triage actions as POSTs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from keneya.accounts.api_permissions import CLINICAL_READ, HasAnyCapability
from keneya.accounts.permissions import Capability
from keneya.alerts import queries, services
from keneya.alerts.models import Alert, CloseReason


class AlertSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    facility_name = serializers.CharField(source="facility.name", read_only=True)
    # "" while the alert is open: the schema's enum says so (issue #10).
    close_reason = serializers.ChoiceField(choices=CloseReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "person",
            "person_name",
            "facility",
            "facility_name",
            "visit",
            "referral",
            "rule",
            "priority",
            "status",
            "title",
            "findings",
            "source",
            "raised_at",
            "acknowledged_at",
            "appointment_date",
            "escalated_at",
            "closed_at",
            "close_reason",
        ]
        read_only_fields = fields


class ConvokeSerializer(serializers.Serializer):
    appointment_date = serializers.DateField()


class CloseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CloseReason.choices)


def _bad_request(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict)


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AlertSerializer
    permission_classes = [HasAnyCapability]
    # Reading is scoped by queries.alert_filter: CSCom staff see their facility's alerts, a CHW
    # the outcome of their own households' alerts.
    required_capabilities = {"GET": CLINICAL_READ, "POST": Capability.ALERTS_TRIAGE}
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Alert]:
        params = self.request.query_params
        return queries.alert_list(
            user=self.request.user, status=params.get("status"), priority=params.get("priority")
        )

    @extend_schema(request=None, responses=AlertSerializer, summary="Prendre en compte")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        alert = services.acknowledge_alert(by=request.user, alert=self.get_object())
        return Response(AlertSerializer(alert).data)

    @extend_schema(
        request=ConvokeSerializer,
        responses=AlertSerializer,
        summary="Convoquer la famille (prévient le relais)",
    )
    @action(detail=True, methods=["post"])
    def convoke(self, request: Request, pk: Any = None) -> Response:
        alert = self.get_object()  # scope first: another CSCom gets a 404, not a 400
        body = ConvokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            alert = services.convoke_family(
                by=request.user, alert=alert, appointment_date=body.validated_data["appointment_date"]
            )
        except DjangoValidationError as exc:
            raise _bad_request(exc) from None
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=CloseSerializer, responses=AlertSerializer, summary="Clôturer avec un motif")
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        alert = self.get_object()
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alert = services.close_alert(by=request.user, alert=alert, reason=body.validated_data["reason"])
        return Response(AlertSerializer(alert).data)

    @extend_schema(
        responses=inline_serializer(
            "AlertEvents",
            {
                "kind": serializers.CharField(),
                "at": serializers.DateTimeField(),
                "by": serializers.CharField(allow_null=True),
                "data": serializers.DictField(),
            },
            many=True,
        ),
        summary="Historique (liste complète, non paginée)",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request: Request, pk: Any = None) -> Response:
        alert = self.get_object()
        return Response(
            [
                {"kind": e.kind, "at": e.at, "by": e.by.username if e.by else None, "data": e.data}
                for e in alert.events.select_related("by")
            ]
        )
