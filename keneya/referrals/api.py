"""GET /api/v1/referrals/ (scoped) and the lifecycle actions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from keneya.accounts.api_permissions import CLINICAL_READ, HasAnyCapability
from keneya.accounts.permissions import Capability
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.people.validation import MAX_NOTE_LENGTH
from keneya.referrals import queries, services
from keneya.referrals.models import Referral


class ReferralSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    to_facility_name = serializers.CharField(source="to_facility.name", read_only=True)
    time_to_care_hours = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "person",
            "person_name",
            "visit",
            "from_facility",
            "to_facility",
            "to_facility_name",
            "issued_by",
            "issued_at",
            "urgent",
            "reason",
            "findings",
            "status",
            "arrived_at",
            "seen_at",
            "time_to_care_hours",
            "counter_referral_note",
            "counter_referred_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_time_to_care_hours(self, referral: Referral) -> float | None:
        if referral.time_to_care is None:
            return None
        return round(referral.time_to_care.total_seconds() / 3600, 1)


class ReferToCsrefSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    reason = serializers.CharField(max_length=300)
    urgent = serializers.BooleanField(default=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            field: Any = self.fields["person"]
            field.queryset = persons_visible_to(request.user)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_NOTE_LENGTH)


class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReferralSerializer
    permission_classes = [HasAnyCapability]
    required_capabilities = {"GET": CLINICAL_READ, "POST": Capability.REFERRAL_MANAGE}
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Referral]:
        return queries.referral_list(user=self.request.user, status=self.request.query_params.get("status"))

    def _run(self, fn: Any, **kwargs: Any) -> Response:
        try:
            referral = fn(by=self.request.user, **kwargs)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response(ReferralSerializer(referral).data)

    @extend_schema(
        request=ReferToCsrefSerializer,
        responses={201: ReferralSerializer},
        summary="Référer au CSRef (clinicien du CSCom)",
    )
    def create(self, request: Request) -> Response:
        body = ReferToCsrefSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        response = self._run(services.refer_to_csref, **body.validated_data)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=None, responses=ReferralSerializer, summary="Patient arrivé")
    @action(detail=True, methods=["post"])
    def arrived(self, request: Request, pk: Any = None) -> Response:
        return self._run(services.mark_arrived, referral=self.get_object())

    @extend_schema(
        request=NoteSerializer, responses=ReferralSerializer, summary="Contre-référence (retour au relais)"
    )
    @action(detail=True, methods=["post"], url_path="counter-referral")
    def counter_referral(self, request: Request, pk: Any = None) -> Response:
        referral = self.get_object()
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._run(services.counter_refer, referral=referral, note=body.validated_data["note"])

    @extend_schema(request=None, responses=ReferralSerializer, summary="Non arrivé")
    @action(detail=True, methods=["post"], url_path="not-arrived")
    def not_arrived(self, request: Request, pk: Any = None) -> Response:
        return self._run(
            lambda by, referral: services.mark_not_arrived(by=by, referral=referral),
            referral=self.get_object(),
        )

    @extend_schema(request=None, responses=ReferralSerializer, summary="Clôturer")
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        return self._run(services.close_referral, referral=self.get_object())
