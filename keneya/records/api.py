"""Consultations (POST /api/v1/consultations/) and ICD-10 search (GET /api/v1/icd10/?q=)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keneya.accounts.permissions import Capability, HasCapability
from keneya.core.api import ID_TAKEN_SCHEMA
from keneya.core.errors import IdTaken
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.records import icd10, services
from keneya.records.models import Consultation
from keneya.records.queries import consultations_visible_to

VITAL_FIELDS = tuple(services.VITAL_RANGES)


class ConsultationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(required=False)
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    diagnoses = serializers.ListField(
        child=serializers.CharField(max_length=8),
        required=False,
        write_only=True,
        default=list,
        help_text="Codes CIM-10, ex. B50.9",
    )
    diagnosis_labels = serializers.SerializerMethodField()

    class Meta:
        model = Consultation
        fields = [
            "id",
            "person",
            "facility",
            "clinician",
            "referral",
            "consulted_at",
            "complaint",
            "examination",
            "treatment",
            "follow_up_date",
            *VITAL_FIELDS,
            "diagnoses",
            "diagnosis_labels",
        ]
        read_only_fields = ["facility", "clinician", "referral"]
        extra_kwargs = {"consulted_at": {"required": False}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            field: Any = self.fields["person"]
            field.queryset = persons_visible_to(request.user)

    def get_diagnosis_labels(self, consultation: Consultation) -> list[dict[str, str]]:
        return [{"code": d.icd10_code, "label": d.label} for d in consultation.diagnoses.all()]

    def to_representation(self, instance: Consultation) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["diagnoses"] = [d.icd10_code for d in instance.diagnoses.all()]
        return data


class ConsultationViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ConsultationSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.CLINICAL_VIEW, "POST": Capability.CONSULTATION_RECORD}
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Consultation]:
        qs = consultations_visible_to(self.request.user).prefetch_related("diagnoses")
        person = self.request.query_params.get("person")
        return qs.filter(person_id=person) if person else qs

    @extend_schema(
        summary="Enregistrer une consultation (clôt la référence et l'alerte), idempotent sur id",
        responses={
            201: ConsultationSerializer,
            200: ConsultationSerializer,
            409: ID_TAKEN_SCHEMA,
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        vitals = {k: data.pop(k) for k in VITAL_FIELDS if k in data}
        existed = data.get("id") is not None and Consultation.objects.filter(pk=data["id"]).exists()
        try:
            consultation = services.record_consultation(
                by=request.user,
                person=data.pop("person"),
                vitals=vitals,
                diagnoses=data.pop("diagnoses", []),
                **data,
            )
        except IdTaken:
            raise  # the 409 that reveals nothing (core.api.exception_handler)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response(
            self.get_serializer(consultation).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class Icd10SearchView(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.CLINICAL_VIEW}

    @extend_schema(
        summary="Chercher un code CIM-10 (en français)",
        parameters=[OpenApiParameter("q", str, description="code ou mots, ex. « palu grave »")],
        responses=inline_serializer(
            "Icd10Entry", {"code": serializers.CharField(), "label": serializers.CharField()}, many=True
        ),
    )
    def get(self, request: Request) -> Response:
        results = icd10.search(request.query_params.get("q", ""), limit=20)
        return Response([{"code": e.code, "label": e.label} for e in results])
