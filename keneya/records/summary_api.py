"""The patient summary, the problem list and the attached documents through the API (issue #14).

- ``GET /api/v1/persons/{id}/summary/``: the summary (``records.queries.patient_summary``);
- ``GET|POST /api/v1/persons/{id}/problems/``: the problem list (``?history=1``: every row,
  voided ones too); a POST with ``consultation`` adds that consultation's diagnosis;
- ``POST /api/v1/problems/{id}/void/`` ``{"reason"}`` and ``POST /api/v1/problems/{id}/correct/``
  (void and replace; ``{"reason", "icd10_code"?, "onset"?, "status"?, "resolved_on"?, "note"?, "id"?}``);
- ``GET|POST /api/v1/persons/{id}/documents/`` (multipart: ``file``, ``kind``, ``title``,
  ``document_date``, ``id``).

Scoped like the person (another CSCom's clinician gets a 404), logged as reads (``apps.py``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keneya.accounts.permissions import Capability, HasCapability
from keneya.core.api import ID_TAKEN_SCHEMA
from keneya.core.errors import IdTaken
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.records import icd10, queries, services
from keneya.records.models import Diagnosis, DocumentKind, Problem, ProblemStatus, RecordDocument


def visible_person(request: Request, person_id: Any) -> Person:
    return get_object_or_404(
        persons_visible_to(request.user).select_related("household__quartier", "household__chw"),
        pk=person_id,
    )


class ProblemOut(serializers.Serializer):
    id = serializers.UUIDField()
    icd10_code = serializers.CharField()
    name = serializers.CharField()
    onset = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(ProblemStatus.choices)
    resolved_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    facility = serializers.CharField()
    recorded_by = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    replaces = serializers.UUIDField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]  # (a field: DRF pops it from the class)


SummaryOut = inline_serializer(
    "PatientSummary",
    {
        "person": inline_serializer(
            "SummaryPerson",
            {
                "id": serializers.UUIDField(),
                "full_name": serializers.CharField(),
                "sex": serializers.CharField(),
                "date_of_birth": serializers.DateField(),
                "age": serializers.CharField(),
                "household": serializers.DictField(),
                "chw": serializers.DictField(allow_null=True),
                "identifiers": serializers.ListField(child=serializers.DictField()),
            },
        ),
        "problems": ProblemOut(many=True),
        "resolved_problems": ProblemOut(many=True),
        "allergies": serializers.ListField(child=serializers.DictField(), help_text="pharmacy"),
        "medications": serializers.ListField(child=serializers.DictField(), help_text="pharmacy"),
        "recent_lab_results": serializers.ListField(child=serializers.DictField(), help_text="lab"),
        "coverage": serializers.ListField(
            child=serializers.DictField(),
            help_text="scheme, status, card_number, valid_from, valid_until, label",
        ),
        "last_vitals": serializers.DictField(allow_null=True),
        "last_weight": serializers.DictField(allow_null=True),
        "pregnancy": serializers.DictField(allow_null=True),
        "open_alerts": serializers.ListField(child=serializers.DictField()),
        "open_referrals": serializers.ListField(child=serializers.DictField()),
    },
)


class PersonSummaryView(APIView):
    """The patient summary: what the banner shows and the carnet prints."""

    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.CLINICAL_VIEW}

    @extend_schema(summary="Résumé du dossier d'un patient", responses=SummaryOut)
    def get(self, request: Request, person_id: Any) -> Response:
        person = visible_person(request, person_id)
        return Response(queries.patient_summary(request.user, person))


class ProblemIn(serializers.Serializer):
    id = serializers.UUIDField(required=False)
    icd10_code = serializers.CharField(max_length=10, help_text="Code CIM-10, ex. I10")
    onset = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(ProblemStatus.choices, required=False, default=ProblemStatus.ACTIVE)
    resolved_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    consultation = serializers.UUIDField(
        required=False, help_text="La consultation dont le diagnostic est ajouté à la liste"
    )


def _invalid(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class PersonProblemsView(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.CLINICAL_VIEW, "POST": Capability.CONSULTATION_RECORD}

    @extend_schema(
        summary="Liste des problèmes d'un patient",
        parameters=[
            OpenApiParameter("history", bool, description="1 : toutes les lignes, annulées comprises")
        ],
        responses=ProblemOut(many=True),
    )
    def get(self, request: Request, person_id: Any) -> Response:
        person = visible_person(request, person_id)
        if request.query_params.get("history") in ("1", "true"):
            rows: Any = queries.problems_of(person, include_voided=True)
            return Response(
                [
                    {**queries.problem_entry(p), "voided_at": p.voided_at, "void_reason": p.void_reason}
                    for p in rows
                ]
            )
        return Response([queries.problem_entry(p) for p in queries.problems_of(person)])

    @extend_schema(
        summary="Ajouter un problème (ou le diagnostic d'une consultation), idempotent sur id",
        request=ProblemIn,
        responses={201: ProblemOut(), 200: ProblemOut(), 409: ID_TAKEN_SCHEMA},
    )
    def post(self, request: Request, person_id: Any) -> Response:
        person = visible_person(request, person_id)
        body = ProblemIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        existed = data.get("id") is not None and Problem.objects.filter(pk=data["id"]).exists()
        consultation_id = data.pop("consultation", None)
        try:
            if consultation_id is not None:
                diagnosis = Diagnosis.objects.filter(
                    consultation_id=consultation_id,
                    consultation__person=person,
                    icd10_code=icd10.normalize_code(data["icd10_code"]) or "",
                ).first()
                if diagnosis is None:
                    raise serializers.ValidationError(
                        {"consultation": ["Ce diagnostic n'est pas celui de cette consultation."]}
                    )
                problem = services.problem_from_diagnosis(by=request.user, diagnosis=diagnosis)
            else:
                problem = services.add_problem(by=request.user, person=person, **data)
        except DjangoValidationError as exc:
            if isinstance(exc, IdTaken):
                raise
            raise _invalid(exc) from None
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(queries.problem_entry(problem), status=code)


class VoidIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class CorrectionIn(VoidIn):
    id = serializers.UUIDField(required=False)
    icd10_code = serializers.CharField(max_length=10, required=False)
    onset = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(ProblemStatus.choices, required=False)
    resolved_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


def _visible_problem(request: Request, problem_id: Any) -> Problem:
    persons = persons_visible_to(request.user).values("pk")
    return get_object_or_404(
        Problem.objects.filter(person__in=persons).select_related("person"), pk=problem_id
    )


class ProblemVoidView(APIView):
    """A problem entered in error, voided with a reason (kept in the history)."""

    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.CONSULTATION_RECORD}

    @extend_schema(summary="Annuler un problème saisi par erreur", request=VoidIn, responses=ProblemOut())
    def post(self, request: Request, problem_id: Any) -> Response:
        problem = _visible_problem(request, problem_id)
        body = VoidIn(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            problem = services.void_problem(
                by=request.user, problem=problem, reason=body.validated_data["reason"]
            )
        except DjangoValidationError as exc:
            raise _invalid(exc) from None
        return Response({**queries.problem_entry(problem), "voided_at": problem.voided_at})


class ProblemCorrectView(APIView):
    """Void and replace: the replacement is returned (201)."""

    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.CONSULTATION_RECORD}

    @extend_schema(
        summary="Corriger un problème (annule et remplace), ou le dire résolu",
        request=CorrectionIn,
        responses={201: ProblemOut(), 200: ProblemOut(), 409: ID_TAKEN_SCHEMA},
    )
    def post(self, request: Request, problem_id: Any) -> Response:
        problem = _visible_problem(request, problem_id)
        body = CorrectionIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        existed = data.get("id") is not None and Problem.objects.filter(pk=data["id"]).exists()
        try:
            replacement = services.correct_problem(by=request.user, problem=problem, **data)
        except DjangoValidationError as exc:
            if isinstance(exc, IdTaken):
                raise
            raise _invalid(exc) from None
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(queries.problem_entry(replacement), status=code)


def document_entry(document: RecordDocument) -> dict[str, Any]:
    url = reverse("records:document_file", args=[document.person_id, document.pk])
    return {
        "id": document.pk,
        "kind": document.kind,
        "title": document.title,
        "document_date": document.document_date,
        "content_type": document.content_type,
        "size": document.size,
        "facility": document.facility.name,
        "uploaded_by": document.uploaded_by.get_full_name() or document.uploaded_by.username,
        "uploaded_at": document.uploaded_at,
        "url": url,
        "thumbnail_url": f"{url}?mini=1" if document.thumbnail else None,
        "label": f"{document.get_kind_display()} : {document.title}",
    }


class DocumentOut(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(DocumentKind.choices)
    title = serializers.CharField()
    document_date = serializers.DateField(allow_null=True)
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    facility = serializers.CharField()
    uploaded_by = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.CharField()
    thumbnail_url = serializers.CharField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]  # (a field: DRF pops it from the class)


class RecordDocumentIn(serializers.Serializer):
    id = serializers.UUIDField(required=False)
    file = serializers.FileField(help_text="Image (JPEG, PNG, WebP) ou PDF, 10 Mo au plus")
    kind = serializers.ChoiceField(DocumentKind.choices)
    title = serializers.CharField(max_length=200)
    document_date = serializers.DateField(required=False, allow_null=True)


class PersonDocumentsView(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.CLINICAL_VIEW, "POST": Capability.CONSULTATION_RECORD}
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(summary="Documents joints au dossier d'un patient", responses=DocumentOut(many=True))
    def get(self, request: Request, person_id: Any) -> Response:
        person = visible_person(request, person_id)
        return Response([document_entry(d) for d in queries.documents_of(person)])

    @extend_schema(
        summary="Joindre un document (scan, photo) au dossier, idempotent sur id",
        request={"multipart/form-data": RecordDocumentIn},
        responses={201: DocumentOut(), 200: DocumentOut(), 409: ID_TAKEN_SCHEMA},
    )
    def post(self, request: Request, person_id: Any) -> Response:
        person = visible_person(request, person_id)
        body = RecordDocumentIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        existed = data.get("id") is not None and RecordDocument.objects.filter(pk=data["id"]).exists()
        try:
            document = services.attach_record_document(
                by=request.user, person=person, upload=data.pop("file"), **data
            )
        except DjangoValidationError as exc:
            if isinstance(exc, IdTaken):
                raise
            raise _invalid(exc) from None
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(document_entry(document), status=code)
