"""Social-protection API (``/api/v1/social/…`` and ``/api/v1/persons/{id}/coverage/``).

Thin: parse, check the capability (``HasCapability``), call a service or a query. A service's
``ValidationError`` is a 400 keyed by field (``core.api.exception_handler``); ``Conflict`` a
409 with a French ``detail`` and what is ``missing``; an id taken outside the caller's scope a
409 that says nothing of the record; a dossier outside scope a 404.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keneya.accounts.permissions import Capability, HasCapability
from keneya.people.models import Household
from keneya.people.scope import households_visible_to, persons_visible_to
from keneya.social_protection import queries, services
from keneya.social_protection.models import Dossier, DossierDocument, Scheme, Screening
from keneya.social_rules import schemes

ID_TAKEN = {"code": "id_taken", "detail": "Cet identifiant est déjà utilisé."}


def _conflict(error: services.Conflict) -> Response:
    return Response(
        {"code": "conflict", "detail": error.detail, "missing": error.missing},
        status=status.HTTP_409_CONFLICT,
    )


def _id_taken() -> Response:
    return Response(ID_TAKEN, status=status.HTTP_409_CONFLICT)


class ScorecardView(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.SOCIAL_SCREEN}

    @extend_schema(summary="La grille de vulnérabilité active", responses={200: dict})
    def get(self, request: Request) -> Response:
        version = queries.current_scorecard()
        if version is None:
            return Response({"detail": _("Aucune grille de vulnérabilité n'est active.")}, status=404)
        definition = version.definition
        return Response(
            {
                "id": str(version.pk),
                "code": version.code,
                "version": version.version,
                "title": version.title,
                "effective_date": version.effective_date,
                "source": version.source,
                "illustrative": version.illustrative,
                "indicators": [
                    {
                        "code": i["code"],
                        "label": i.get("label_fr", i["code"]),
                        "options": [
                            {"code": o["code"], "label": o.get("label_fr", o["code"]), "points": o["points"]}
                            for o in i["options"]
                        ],
                    }
                    for i in definition["indicators"]
                ],
                "bands": [
                    {"code": b["code"], "label": b["label_fr"], "min": b["min"], "max": b["max"]}
                    for b in definition["bands"]
                ],
                "admis_de_droit": [
                    {"code": c["code"], "label": c["label_fr"]} for c in definition.get("admis_de_droit", [])
                ],
                "admis_de_droit_band": definition.get("admis_de_droit_band"),
                # The whole grid, for the tablet's scoring (engine/scorecard.js).
                "definition": definition,
            }
        )


class ScreeningIn(serializers.Serializer):
    id = serializers.UUIDField()
    household = serializers.UUIDField()
    screened_on = serializers.DateField()
    answers = serializers.DictField(child=serializers.CharField(max_length=60, allow_blank=True))
    admis_de_droit = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class ScreeningOut(serializers.ModelSerializer):
    class Meta:
        model = Screening
        fields = [
            "id",
            "household",
            "scorecard",
            "screened_on",
            "answers",
            "admis_de_droit",
            "score",
            "band",
            "breakdown",
            "validated_at",
        ]


class ScreeningListCreate(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.SOCIAL_SCREEN, "POST": Capability.SOCIAL_SCREEN}

    @extend_schema(
        summary="Dépistages visibles (les plus récents d'abord)", responses=ScreeningOut(many=True)
    )
    def get(self, request: Request) -> Response:
        rows = queries.screenings_visible_to(request.user).order_by("-screened_on", "-recorded_at")[:200]
        return Response(ScreeningOut(rows, many=True).data)

    @extend_schema(request=ScreeningIn, responses={201: ScreeningOut, 200: ScreeningOut}, summary="Dépister")
    def post(self, request: Request) -> Response:
        body = ScreeningIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        household = Household.objects.filter(pk=data["household"]).first()
        existing = Screening.objects.filter(pk=data["id"]).first()
        if existing is None and (
            household is None or not households_visible_to(request.user).filter(pk=household.pk).exists()
        ):
            raise serializers.ValidationError({"household": [_("Ménage inconnu.")]})
        try:
            screening, created = services.record_screening(
                by=request.user,
                id=data["id"],
                household=household or existing.household,  # type: ignore[union-attr]
                screened_on=data["screened_on"],
                answers=data["answers"],
                admis_de_droit=data.get("admis_de_droit", ""),
            )
        except services.IdTaken:
            return _id_taken()
        return Response(ScreeningOut(screening).data, status=201 if created else 200)


class ScreeningValidate(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.SOCIAL_CASEWORK}

    @extend_schema(request=None, responses=ScreeningOut, summary="Valider un dépistage (travailleur social)")
    def post(self, request: Request, pk: Any) -> Response:
        screening = get_object_or_404(queries.screenings_visible_to(request.user), pk=pk)
        screening = services.validate_screening(by=request.user, screening=screening)
        return Response(ScreeningOut(screening).data)


class DossierIn(serializers.Serializer):
    id = serializers.UUIDField()
    household = serializers.UUIDField()
    scheme = serializers.ChoiceField(choices=Scheme.choices)
    members = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=40)


def _document_json(document: DossierDocument) -> dict[str, Any]:
    return {
        "id": str(document.pk),
        "person": str(document.person_id),
        "kind": document.kind,
        "label": schemes.document_label(document.kind),
        "status": document.status,
        "issued_on": document.issued_on,
        "expires_on": document.expires_on,
        "substitute": document.substitute,
        "unavailable_reason": document.unavailable_reason,
    }


def dossier_json(dossier: Dossier) -> dict[str, Any]:
    documents = list(dossier.documents.select_related("person").order_by("person__given_names", "kind"))
    due = schemes.due_date(dossier.scheme, dossier.status, dossier.status_since)
    return {
        "id": str(dossier.pk),
        "reference": dossier.reference,
        "household": str(dossier.household_id),
        "scheme": dossier.scheme,
        "status": dossier.status,
        "status_label": schemes.status_info(dossier.scheme, dossier.status)["label_fr"],
        "status_since": dossier.status_since,
        "due_on": due,
        "allowed_transitions": schemes.allowed_transitions(dossier.scheme, dossier.status),
        "members": [{"person": str(m.person_id), "role": m.role} for m in dossier.members.all()],
        "documents": [_document_json(d) for d in documents],
        "missing_documents": [_document_json(d) for d in documents if d.status not in schemes.SUPPLIED],
        "card_number": dossier.card_number,
        "valid_from": dossier.valid_from,
        "valid_until": dossier.valid_until,
        "events": [
            {"kind": e.kind, "at": e.at, "by": e.by.get_username() if e.by else None, "data": e.data}
            for e in dossier.events.select_related("by")
        ],
    }


class DossierListCreate(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.SOCIAL_CASEWORK, "POST": Capability.SOCIAL_CASEWORK}

    @extend_schema(
        summary="Dossiers ouverts, les plus en retard d'abord",
        responses={
            200: inline_serializer(
                "DossierRow",
                {
                    "id": serializers.UUIDField(),
                    "reference": serializers.CharField(),
                    "household": serializers.UUIDField(),
                    "scheme": serializers.CharField(),
                    "status": serializers.CharField(),
                    "due_on": serializers.DateField(allow_null=True),
                    "days_late": serializers.IntegerField(),
                },
                many=True,
            )
        },
    )
    def get(self, request: Request) -> Response:
        rows = queries.dossier_rows(
            request.user,
            scheme=request.query_params.get("scheme", ""),
            status=request.query_params.get("status", ""),
        )
        return Response(
            [
                {
                    "id": str(r.dossier.pk),
                    "reference": r.dossier.reference,
                    "household": str(r.dossier.household_id),
                    "scheme": r.dossier.scheme,
                    "status": r.dossier.status,
                    "due_on": r.due_on,
                    "days_late": r.days_late,
                }
                for r in rows
            ]
        )

    @extend_schema(
        request=DossierIn, responses={201: dict, 200: dict, 409: dict}, summary="Ouvrir un dossier"
    )
    def post(self, request: Request) -> Response:
        body = DossierIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        existing = Dossier.objects.filter(pk=data["id"]).first()
        household = households_visible_to(request.user).filter(pk=data["household"]).first()
        if existing is None and household is None:
            raise serializers.ValidationError({"household": [_("Ménage inconnu.")]})
        members = list(
            persons_visible_to(request.user).filter(pk__in=data["members"]).select_related("household")
        )
        if existing is None and len(members) != len(set(data["members"])):
            raise serializers.ValidationError({"members": [_("Personne inconnue dans ce ménage.")]})
        try:
            dossier, created = services.open_dossier(
                by=request.user,
                id=data["id"],
                household=household or existing.household,  # type: ignore[union-attr]
                scheme=data["scheme"],
                members=members,
            )
        except services.IdTaken:
            return _id_taken()
        except services.Conflict as error:
            return _conflict(error)
        return Response(dossier_json(dossier), status=201 if created else 200)


class DossierDetail(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.SOCIAL_CASEWORK}

    @extend_schema(summary="Un dossier : étape, transitions possibles, pièces", responses={200: dict})
    def get(self, request: Request, pk: Any) -> Response:
        dossier = get_object_or_404(queries.dossiers_visible_to(request.user), pk=pk)
        return Response(dossier_json(dossier))


class DocumentIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=["missing", "requested", "obtained", "verified"])
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    substitute = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    unavailable_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class DocumentUpdate(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.SOCIAL_CASEWORK}

    @extend_schema(request=DocumentIn, responses={200: dict, 409: dict}, summary="Mettre à jour une pièce")
    def post(self, request: Request, pk: Any, document_id: Any) -> Response:
        dossier = get_object_or_404(queries.dossiers_visible_to(request.user), pk=pk)
        document = get_object_or_404(dossier.documents.all(), pk=document_id)
        body = DocumentIn(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.update_document(by=request.user, document=document, **body.validated_data)
        except services.Conflict as error:
            return _conflict(error)
        return Response(dossier_json(dossier))


class TransitionIn(serializers.Serializer):
    to = serializers.CharField(max_length=40)
    card_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class DossierTransition(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.SOCIAL_CASEWORK}

    @extend_schema(
        request=TransitionIn, responses={200: dict, 409: dict}, summary="Passer à l'étape suivante"
    )
    def post(self, request: Request, pk: Any) -> Response:
        dossier = get_object_or_404(queries.dossiers_visible_to(request.user), pk=pk)
        body = TransitionIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        target = data.pop("to")
        try:
            dossier = services.transition_dossier(by=request.user, dossier=dossier, to=target, data=data)
        except services.Conflict as error:
            return _conflict(error)
        return Response(dossier_json(dossier))


class CoverageView(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.COVERAGE_VIEW}

    @extend_schema(
        summary="Couverture d'une personne (dérivée des dossiers)",
        responses={
            200: inline_serializer(
                "Coverage",
                {
                    "scheme": serializers.CharField(),
                    "status": serializers.CharField(),
                    "card_number": serializers.CharField(allow_blank=True),
                    "valid_from": serializers.DateField(allow_null=True),
                    "valid_until": serializers.DateField(allow_null=True),
                },
                many=True,
            )
        },
    )
    def get(self, request: Request, pk: Any) -> Response:
        person = get_object_or_404(persons_visible_to(request.user), pk=pk)
        return Response(queries.coverage_for(person))
