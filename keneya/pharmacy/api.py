"""Pharmacy API: the medicine catalogue, a person's allergies, prescriptions and the ordonnance PDF.

Thin: parse, check the capability (``HasCapability``), call a service or a query. A missing field
or an unknown medicine is a 400 keyed by field; a known allergy without an override reason a 409
``{"code": "allergy_conflict", "warnings": [...]}`` (nothing saved); an id taken outside the
caller's scope the 409 that reveals nothing; a person or prescription outside scope a 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keneya.accounts.permissions import Capability, HasCapability
from keneya.clinical import medicines
from keneya.core.api import ID_TAKEN_SCHEMA
from keneya.core.errors import IdTaken
from keneya.people.scope import persons_visible_to
from keneya.pharmacy import printing, queries, services
from keneya.pharmacy.models import Allergy, AllergyKind, AllergyStatus, Prescription, Severity
from keneya.records.queries import consultations_visible_to

MEDICINE_OUT = inline_serializer(
    "Medicine",
    {
        "code": serializers.CharField(),
        "dci": serializers.CharField(),
        "form": serializers.CharField(),
        "strength": serializers.CharField(),
        "generic": serializers.BooleanField(),
        "brand": serializers.CharField(),
        "generic_code": serializers.CharField(),
        "dose_unit": serializers.CharField(),
        "route": serializers.CharField(),
        "level": serializers.CharField(),
        "classes": serializers.ListField(child=serializers.CharField()),
        "label": serializers.CharField(),
    },
    many=True,
)


def medicine_json(medicine: medicines.Medicine) -> dict[str, Any]:
    return {
        "code": medicine.code,
        "dci": medicine.dci,
        "form": medicine.form,
        "strength": medicine.strength,
        "generic": medicine.generic,
        "brand": medicine.brand,
        "generic_code": medicine.generic_code,
        "dose_unit": medicine.dose_unit,
        "route": medicine.route,
        "level": medicine.level,
        "classes": list(medicine.classes),
        "label": medicine.label,
    }


class MedicineList(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.CLINICAL_VIEW}

    @extend_schema(
        summary="Catalogue des médicaments (LNME du Mali, sous-ensemble ; marques ramenées à leur DCI)",
        parameters=[OpenApiParameter("search", str, description="DCI, marque ou forme, ex. « amox »")],
        responses=MEDICINE_OUT,
    )
    def get(self, request: Request) -> Response:
        found = medicines.search(request.query_params.get("search", "")[:80], limit=200)
        response = Response([medicine_json(m) for m in found])
        response["X-Catalogue-Version"] = medicines.CATALOGUE_VERSION
        return response


# French and FHIR-like words for a severity.
SEVERITY_WORDS = {
    "légère": "mild",
    "legere": "mild",
    "faible": "mild",
    "low": "mild",
    "modérée": "moderate",
    "moderee": "moderate",
    "medium": "moderate",
    "sévère": "severe",
    "severe": "severe",
    "grave": "severe",
    "high": "severe",
    "life-threatening": "severe",
    "anaphylaxis": "severe",
    "": "unknown",
    "non précisée": "unknown",
}


class AllergyIn(serializers.Serializer):
    id = serializers.UUIDField()
    substance = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    reaction = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    severity = serializers.CharField(max_length=20, required=False, default=Severity.UNKNOWN)
    status = serializers.ChoiceField(
        choices=AllergyStatus.choices, required=False, default=AllergyStatus.ACTIVE
    )
    kind = serializers.ChoiceField(choices=AllergyKind.choices, required=False, default=AllergyKind.ALLERGY)
    no_known_allergy = serializers.BooleanField(required=False, default=False)

    def validate_severity(self, value: str) -> str:
        severity = SEVERITY_WORDS.get(value.strip().lower(), value.strip().lower())
        if severity not in Severity.values:
            raise serializers.ValidationError("Sévérité inconnue (mild, moderate, severe ou unknown).")
        return severity

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("no_known_allergy") and not attrs.get("substance"):
            raise serializers.ValidationError({"substance": ["Ce champ est obligatoire."]})
        return attrs


ALLERGY_OUT = inline_serializer(
    "Allergy",
    {
        "id": serializers.UUIDField(),
        "person": serializers.UUIDField(),
        "no_known_allergy": serializers.BooleanField(),
        "kind": serializers.CharField(),
        "substance": serializers.CharField(),
        "substance_code": serializers.CharField(),
        "substance_class": serializers.CharField(),
        "substance_label": serializers.CharField(),
        "reaction": serializers.CharField(),
        "severity": serializers.CharField(),
        "status": serializers.CharField(),
        "recorded_at": serializers.DateTimeField(),
        "voided": serializers.BooleanField(),
        "void_reason": serializers.CharField(),
        "replaces": serializers.UUIDField(allow_null=True),
        "label": serializers.CharField(),
    },
)


ALLERGY_LIST = inline_serializer("AllergyList", {"id": serializers.UUIDField()}, many=True)


class PersonAllergies(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.CLINICAL_VIEW, "POST": Capability.CLINICAL_VIEW}

    @extend_schema(
        summary="Allergies d'une personne : la liste (une ligne « Aucune allergie connue » est un fait ; "
        "une liste vide : non renseignées) ; l'état dans l'en-tête X-Allergy-Status",
        parameters=[OpenApiParameter("history", bool, description="inclure les annulées (history=1)")],
        responses=ALLERGY_LIST,
    )
    def get(self, request: Request, pk: Any) -> Response:
        person = get_object_or_404(persons_visible_to(request.user), pk=pk)
        allergies = queries.person_allergies(person, with_voided=request.query_params.get("history") == "1")
        state = queries.allergy_state([a for a in allergies if a.voided_at is None])
        response = Response([queries.allergy_json(a) for a in allergies])
        response["X-Allergy-Status"] = state  # not_asked, none_known or known
        return response

    @extend_schema(
        summary="Enregistrer une allergie (substance : code du catalogue ou texte) ou « aucune allergie "
        "connue » ; idempotent sur id",
        request=AllergyIn,
        responses={201: ALLERGY_OUT, 200: ALLERGY_OUT, 409: ID_TAKEN_SCHEMA},
    )
    def post(self, request: Request, pk: Any) -> Response:
        if not services.may_record_allergies(request.user):
            return Response(
                {"code": "permission_denied", "detail": "Votre rôle ne permet pas cette action."}, status=403
            )
        person = get_object_or_404(persons_visible_to(request.user), pk=pk)
        body = AllergyIn(data=request.data)
        body.is_valid(raise_exception=True)
        allergy, created = services.record_allergy(by=request.user, person=person, **body.validated_data)
        return Response(queries.allergy_json(allergy), status=201 if created else 200)


class PrescriptionItemIn(serializers.Serializer):
    medicine = serializers.CharField(max_length=80)
    # A number in the medicine's unit (1 comprimé), or with a unit ("500 mg", "5 ml").
    dose = serializers.CharField(max_length=30)
    frequency = serializers.CharField(max_length=20)
    duration_days = serializers.IntegerField(min_value=1, max_value=services.MAX_DURATION_DAYS)
    quantity = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal(0))
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
    route = serializers.CharField(max_length=30, required=False, allow_blank=True)
    instructions = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def validate_medicine(self, value: str) -> str:
        if medicines.get(value) is None:
            raise serializers.ValidationError(f"Médicament inconnu du catalogue « {value} ».")
        return value

    def validate_frequency(self, value: str) -> str:
        try:
            return medicines.parse_frequency(value)
        except ValueError:
            raise serializers.ValidationError(
                "Fréquence inconnue (1/j, 2/j, 3/j, 4/j, matin, soir, unique, si_besoin…)."
            ) from None


class PrescriptionIn(serializers.Serializer):
    id = serializers.UUIDField()
    person = serializers.UUIDField()
    consultation = serializers.UUIDField(required=False, allow_null=True)
    items = PrescriptionItemIn(many=True, allow_empty=False, max_length=services.MAX_ITEMS)  # type: ignore[call-arg]
    override_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    weight_kg = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        required=False,
        allow_null=True,
        min_value=Decimal("0.3"),
        max_value=Decimal(250),
    )


WARNING = inline_serializer(
    "PrescriptionWarning",
    {
        "code": serializers.CharField(),
        "blocking": serializers.BooleanField(),
        "item": serializers.IntegerField(required=False),
        "medicine": serializers.CharField(required=False),
        "message": serializers.CharField(),
    },
)
PRESCRIPTION_OUT = inline_serializer(
    "Prescription",
    {
        "id": serializers.UUIDField(),
        "reference": serializers.CharField(),
        "person": serializers.UUIDField(),
        "consultation": serializers.UUIDField(allow_null=True),
        "facility": serializers.CharField(),
        "prescriber": serializers.CharField(),
        "prescribed_at": serializers.DateTimeField(),
        "warnings": serializers.ListField(child=serializers.DictField()),
        "override_reason": serializers.CharField(),
        "items": serializers.ListField(child=serializers.DictField()),
    },
)
CONFLICT = OpenApiResponse(
    inline_serializer(
        "AllergyConflict",
        {
            "code": serializers.CharField(),
            "detail": serializers.CharField(),
            "warnings": serializers.ListField(child=serializers.DictField()),
        },
    ),
    description="Allergie connue sans motif de passage outre (rien n'est enregistré), ou identifiant pris.",
)


def _conflict(error: services.AllergyConflict) -> Response:
    return Response(
        {
            "code": "allergy_conflict",
            "detail": "Allergie connue à un médicament prescrit : indiquez le motif pour passer outre.",
            "warnings": error.warnings,
        },
        status=status.HTTP_409_CONFLICT,
    )


def _resolve(request: Request, data: dict[str, Any]) -> tuple[Any, Any]:
    """The person and consultation of a prescription, from the caller's scope (400 otherwise)."""
    person = persons_visible_to(request.user).filter(pk=data["person"]).first()
    if person is None:
        if Prescription.objects.filter(pk=data["id"]).exists():
            raise IdTaken()
        raise DjangoValidationError({"person": ["Patient inconnu."]})
    consultation = None
    if data.get("consultation"):
        consultation = consultations_visible_to(request.user).filter(pk=data["consultation"]).first()
        if consultation is None or consultation.person_id != person.pk:
            raise DjangoValidationError({"consultation": ["Consultation inconnue pour ce patient."]})
    return person, consultation


def _items(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(item) for item in data["items"]]


class PrescriptionListCreate(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.CLINICAL_VIEW, "POST": Capability.PRESCRIBE}

    @extend_schema(
        summary="Ordonnances visibles (les plus récentes d'abord), filtrables par patient",
        operation_id="v1_prescriptions_list",
        parameters=[OpenApiParameter("person", str)],
        responses=serializers.ListSerializer(child=PRESCRIPTION_OUT),
    )
    def get(self, request: Request) -> Response:
        rows = queries.prescriptions_visible_to(request.user).prefetch_related("items")
        person = request.query_params.get("person")
        if person:
            try:
                rows = rows.filter(person_id=person)
            except DjangoValidationError:
                rows = rows.none()
        return Response([queries.prescription_json(p) for p in rows.order_by("-prescribed_at")[:100]])

    @extend_schema(
        summary="Prescrire (vérifie allergies, couverture et doses) ; idempotent sur id",
        request=PrescriptionIn,
        responses={201: PRESCRIPTION_OUT, 200: PRESCRIPTION_OUT, 409: CONFLICT},
    )
    def post(self, request: Request) -> Response:
        body = PrescriptionIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        person, consultation = _resolve(request, data)
        try:
            prescription, created = services.prescribe(
                by=request.user,
                person=person,
                id=data["id"],
                items=_items(data),
                consultation=consultation,
                override_reason=data.get("override_reason", ""),
                weight_kg=data.get("weight_kg"),
            )
        except services.AllergyConflict as error:
            return _conflict(error)
        return Response(queries.prescription_json(prescription), status=201 if created else 200)


class PrescriptionCheck(APIView):
    """The warnings a prescription would get, without saving it (the form shows them first)."""

    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.PRESCRIBE}

    @extend_schema(
        summary="Vérifier une ordonnance sans l'enregistrer",
        request=PrescriptionIn,
        responses=inline_serializer(
            "PrescriptionCheck",
            {
                "warnings": serializers.ListField(child=serializers.DictField()),
                "blocking": serializers.BooleanField(),
            },
        ),
    )
    def post(self, request: Request) -> Response:
        body = PrescriptionIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        person, consultation = _resolve(request, data)
        check = services.check_prescription(
            person=person,
            items=services.parse_items(_items(data)),
            consultation=consultation,
            weight_kg=data.get("weight_kg"),
        )
        return Response({"warnings": check.warnings, "blocking": bool(check.blocking)})


class PrescriptionDetail(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.CLINICAL_VIEW}

    @extend_schema(summary="Une ordonnance", responses=PRESCRIPTION_OUT)
    def get(self, request: Request, pk: Any) -> Response:
        prescription = get_object_or_404(queries.prescriptions_visible_to(request.user), pk=pk)
        return Response(queries.prescription_json(prescription))


class PrescriptionPdf(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.CLINICAL_VIEW}

    @extend_schema(
        summary="L'ordonnance imprimable (PDF A5, en français)",
        responses={(200, "application/pdf"): OpenApiResponse(description="PDF")},
    )
    def get(self, request: Request, pk: Any) -> HttpResponse:
        prescription = get_object_or_404(queries.prescriptions_visible_to(request.user), pk=pk)
        return printing.ordonnance_response(prescription, request)


class StopIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ItemStop(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.PRESCRIBE}

    @extend_schema(
        summary="Arrêter un médicament (avec un motif)", request=StopIn, responses=PRESCRIPTION_OUT
    )
    def post(self, request: Request, pk: Any, item_id: Any) -> Response:
        prescription = get_object_or_404(queries.prescriptions_visible_to(request.user), pk=pk)
        item = get_object_or_404(prescription.items.all(), pk=item_id)
        body = StopIn(data=request.data)
        body.is_valid(raise_exception=True)
        services.stop_item(by=request.user, item=item, reason=body.validated_data["reason"])
        return Response(queries.prescription_json(prescription))


class AllergyVoid(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.CLINICAL_VIEW}

    @extend_schema(
        summary="Annuler une allergie saisie par erreur (avec un motif)",
        request=StopIn,
        responses=ALLERGY_OUT,
    )
    def post(self, request: Request, pk: Any, allergy_id: Any) -> Response:
        if not services.may_record_allergies(request.user):
            return Response(
                {"code": "permission_denied", "detail": "Votre rôle ne permet pas cette action."}, status=403
            )
        allergy: Allergy = get_object_or_404(
            queries.allergies_visible_to(request.user), pk=allergy_id, person_id=pk
        )
        body = StopIn(data=request.data)
        body.is_valid(raise_exception=True)
        allergy = services.void_allergy(
            by=request.user, allergy=allergy, reason=body.validated_data["reason"]
        )
        return Response(queries.allergy_json(allergy))
