"""Lab API (``/api/v1/lab/…``): the catalogue, requests, results, corrections.

Thin: parse, check the capability (``HasCapability``), call a service or a query. A service's
``ValidationError`` is a 400 keyed by field, ``IdTaken`` a 409 that says nothing of the
request (``core.api.exception_handler``); a request outside the caller's scope is a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keneya.accounts.permissions import Capability, has_capability
from keneya.clinical import lab as catalogue
from keneya.lab import queries, services
from keneya.lab.models import LabOrder, LabResult
from keneya.lab.record import order_lines
from keneya.people.models import Person
from keneya.records.models import Consultation


class HasCapability(BasePermission):
    """``accounts.permissions.HasCapability``, where a method may also name several
    capabilities (any of them suffices: the clinician's request or the laboratory's walk-in)."""

    message = "Votre rôle ne permet pas cette action."

    def has_permission(self, request: Any, view: Any) -> bool:
        needed = getattr(view, "required_capabilities", {}).get(request.method)
        if needed is None:
            return False
        return any(
            has_capability(request.user, c) for c in ((needed,) if isinstance(needed, str) else needed)
        )


TEST_OUT = inline_serializer(
    "LabTestOut",
    {
        "code": serializers.CharField(),
        "label": serializers.CharField(),
        "unit": serializers.CharField(allow_blank=True),
        "result_type": serializers.ChoiceField(choices=catalogue.RESULT_TYPES),
        "loinc": serializers.CharField(),
        "loinc_verified": serializers.BooleanField(),
        "levels": serializers.ListField(child=serializers.DictField()),
        "critical_low": serializers.CharField(allow_null=True),
        "critical_high": serializers.CharField(allow_null=True),
        "critical_source": serializers.CharField(allow_blank=True),
        "source": serializers.CharField(),
    },
    many=True,
)


def _test_json(test: catalogue.LabTest) -> dict[str, Any]:
    crit = test.critical
    return {
        "code": test.code,
        "label": test.label_fr,
        "unit": test.unit,
        "result_type": test.result_type,
        "loinc": test.loinc,
        "loinc_verified": test.loinc_verified,
        "levels": [{"code": lv.code, "label": lv.label_fr} for lv in test.levels],
        "critical_low": str(crit.low) if crit and crit.low is not None else None,
        "critical_high": str(crit.high) if crit and crit.high is not None else None,
        "critical_source": crit.source if crit else "",
        "source": test.source,
    }


class TestList(APIView):
    """The catalogue: public to any signed-in user (no personal data)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Le catalogue des examens", responses=TEST_OUT)
    def get(self, request: Request) -> Response:
        return Response([_test_json(t) for t in catalogue.TESTS.values()])


class OrderIn(serializers.Serializer):
    id = serializers.UUIDField()
    person = serializers.UUIDField()
    tests = serializers.ListField(child=serializers.CharField(max_length=40), max_length=services.MAX_TESTS)
    consultation = serializers.UUIDField(required=False, allow_null=True)
    pregnant = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.REASON_MAX)


def result_json(result: LabResult) -> dict[str, Any]:
    return {
        **queries.row(result).as_json(),
        "voided": result.voided_at is not None,
        "void_reason": result.void_reason,
        "replaces": str(result.replaces_id) if result.replaces_id else None,
    }


def order_json(order: LabOrder) -> dict[str, Any]:
    return {
        "id": str(order.pk),
        "person": str(order.person_id),
        "facility": order.facility.name,
        "consultation": str(order.consultation_id) if order.consultation_id else None,
        "requested_at": order.requested_at.isoformat(),
        "walk_in": order.walk_in,
        "pregnant": order.pregnant,
        "status": order.status,
        "tests": [line["code"] for line in order_lines(order)],
        "results": [result_json(r) for r in order.results.all()],
    }


ORDER_OUT = inline_serializer(
    "LabOrderOut",
    {
        "id": serializers.UUIDField(),
        "person": serializers.UUIDField(),
        "facility": serializers.CharField(),
        "status": serializers.CharField(),
        "tests": serializers.ListField(child=serializers.CharField()),
        "results": serializers.ListField(child=serializers.DictField()),
    },
)


def _detail(user: Any, pk: Any) -> LabOrder:
    try:
        return queries.order_detail(user=user, order_id=pk)
    except LabOrder.DoesNotExist:
        raise Http404 from None


class OrderListCreate(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {
        "GET": Capability.LAB_RESULT,
        "POST": (Capability.LAB_ORDER, Capability.LAB_RESULT),
    }

    @extend_schema(
        summary="Demandes en attente du laboratoire (les plus anciennes d'abord)",
        responses=serializers.ListSerializer(child=ORDER_OUT),
        operation_id="v1_lab_orders_pending",
    )
    def get(self, request: Request) -> Response:
        return Response([order_json(o) for o in queries.pending_orders(user=request.user)])

    @extend_schema(
        request=OrderIn,
        responses={201: ORDER_OUT, 200: ORDER_OUT, 400: dict, 409: dict},
        summary="Demander des examens (idempotent sur id)",
    )
    def post(self, request: Request) -> Response:
        body = OrderIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        existing = LabOrder.objects.filter(pk=data["id"]).first()
        person = Person.objects.filter(pk=data["person"]).select_related("household").first()
        if existing is None and person is None:
            raise serializers.ValidationError({"person": [_("Personne inconnue.")]})
        consultation = None
        if data.get("consultation"):
            consultation = Consultation.objects.filter(pk=data["consultation"]).first()
            if consultation is None:
                raise serializers.ValidationError({"consultation": [_("Consultation inconnue.")]})
        try:
            order, created = services.request_tests(
                by=request.user,
                id=data["id"],
                person=person or existing.person,  # type: ignore[union-attr]
                tests=data["tests"],
                consultation=consultation,
                pregnant=data["pregnant"],
                note=data["note"],
            )
        except PermissionDenied:
            # a person outside the caller's scope reads as unknown (reveals nothing)
            raise serializers.ValidationError({"person": [_("Personne inconnue.")]}) from None
        return Response(order_json(_detail(request.user, order.pk)), status=201 if created else 200)


class OrderDetail(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": (Capability.CLINICAL_VIEW, Capability.LAB_RESULT)}

    @extend_schema(summary="Une demande d'examens, ses résultats et leurs corrections", responses=ORDER_OUT)
    def get(self, request: Request, pk: Any) -> Response:
        return Response(order_json(_detail(request.user, pk)))


class ResultLine(serializers.Serializer):
    test = serializers.CharField(max_length=40)
    value = serializers.JSONField()


class ResultsIn(serializers.Serializer):
    results = serializers.ListField(child=ResultLine(), allow_empty=False, max_length=services.MAX_TESTS * 2)


class OrderResults(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.LAB_RESULT}

    @extend_schema(
        request=ResultsIn,
        responses={200: ORDER_OUT, 400: dict},
        summary="Saisir les résultats (interprétés aussitôt ; un résultat critique lève une alerte urgente)",
    )
    def post(self, request: Request, pk: Any) -> Response:
        order = _detail(request.user, pk)
        body = ResultsIn(data=request.data)
        body.is_valid(raise_exception=True)
        lines = [(line["test"], _scalar(line["value"])) for line in body.validated_data["results"]]
        stored = services.record_results(by=request.user, order=order, results=lines)
        return Response(
            {**order_json(_detail(request.user, pk)), "entered": [result_json(r) for r in stored]}
        )


def _scalar(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        raise serializers.ValidationError({"results": [_("Chaque valeur est un nombre ou un texte.")]})
    return value


class LabCorrectionIn(serializers.Serializer):
    value = serializers.JSONField()
    reason = serializers.CharField(max_length=services.REASON_MAX)


class ResultCorrect(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.LAB_RESULT}

    @extend_schema(
        request=LabCorrectionIn,
        responses={200: dict, 400: dict},
        summary="Corriger un résultat (annule et remplace, avec un motif ; l'ancienne valeur reste visible)",
    )
    def post(self, request: Request, pk: Any) -> Response:
        result = queries.lab_results_visible_to(request.user).filter(pk=pk).first()
        if result is None or not has_capability(request.user, Capability.LAB_RESULT):
            raise Http404
        body = LabCorrectionIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        replacement = services.correct_result(
            by=request.user, result=result, value=_scalar(data["value"]), reason=data["reason"]
        )
        result.refresh_from_db()
        return Response({"result": result_json(replacement), "voided": result_json(result)})
