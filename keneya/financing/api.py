"""Savings-group API (``/api/v1/financing/…``): groups, balances, health loans, repayments,
meeting sheets, the M&E summary.

Thin: parse, check the capability (``HasCapability``), find the group or loan through the
caller's scope (404 outside it), call a service or a query. ``services.Refused`` is a 409 with
a French ``detail`` (over a limit, over a box's cash, over what is owed; nothing saved); a
``ValidationError`` a 400 keyed by field; an id taken outside the caller's scope a 409 that
says nothing of the record.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keneya.accounts.permissions import Capability, HasCapability
from keneya.financing import ledger, queries, services
from keneya.financing.models import Disbursement, Loan, LoanKind, Purpose, SavingsGroup
from keneya.people.models import Person
from keneya.records.models import Consultation
from keneya.referrals.models import Referral


def _refused(error: services.Refused) -> Response:
    return Response({"code": "refused", "detail": error.detail}, status=409)


def constitution_json(cycle: Any) -> dict[str, Any] | None:
    if cycle is None:
        return None
    return {
        "cycle": cycle.number,
        "opened_on": cycle.opened_on,
        "contribution": cycle.contribution,
        "health_part": cycle.health_part,
        "business_part": cycle.contribution - cycle.health_part - cycle.social_part,
        "social_part": cycle.social_part,
        "max_shares": cycle.max_shares,
        "fine_absence": cycle.fine_absence,
        "fine_late": cycle.fine_late,
        "health_loan_max": cycle.health_loan_max,
        "emergency_loan_max": cycle.emergency_loan_max,
        "loan_multiple_of_savings": cycle.loan_multiple_of_savings,
        "loan_duration_weeks": cycle.loan_duration_weeks,
        "business_interest_percent": cycle.business_interest_percent,
        "approval": cycle.approval,
    }


def group_json(group: SavingsGroup, *, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(group.pk),
        "name": group.name,
        "kind": group.kind,
        "quartier": group.quartier.name,
        "meeting_weekday": group.meeting_weekday,
        "frequency": group.frequency,
    }
    if detail:
        data["constitution"] = constitution_json(queries.open_cycle(group))
        data["members"] = [
            {
                "person": str(m.person_id),
                "name": f"{m.person.given_names} {m.person.family_name}",
                "joined_on": m.joined_on,
                "left_on": m.left_on,
            }
            for m in queries.current_members(group)
        ]
        data["officers"] = [
            {
                "office": o.office,
                "label": o.get_office_display(),
                "person": str(o.person_id) if o.person_id else None,
            }
            for o in group.officers.filter(until__isnull=True)
        ]
    return data


def loan_json(loan: Loan) -> dict[str, Any]:
    state = queries.loan_state(loan)
    referral = loan.referral
    consultation = loan.consultation
    return {
        "id": str(loan.pk),
        "group": str(loan.group_id),
        "member": str(loan.member_id),
        "beneficiary": str(loan.beneficiary_id) if loan.beneficiary_id else None,
        "kind": loan.kind,
        "purpose": loan.purpose,
        "purpose_label": loan.get_purpose_display(),
        "amount": loan.amount,
        "interest": loan.interest,
        "disbursed_on": loan.disbursed_on,
        "due_on": loan.due_on,
        "between_meetings": loan.between_meetings,
        "ratified": loan.ratified_in_id is not None,
        "disbursement": loan.disbursement,
        "receipt_number": loan.receipt_number,
        "status": state["status"],
        "status_label": state["status_label"],
        "outstanding": state["outstanding"],
        "referral": (
            {
                "id": str(referral.pk),
                "issued_at": referral.issued_at,
                "urgent": referral.urgent,
                "to_facility": referral.to_facility.name if referral.to_facility_id else "",
            }
            if referral is not None
            else None
        ),
        "consultation": (
            {
                "id": str(consultation.pk),
                "at": consultation.consulted_at,
                "facility": consultation.facility.name,
            }
            if consultation is not None
            else None
        ),
    }


class GroupList(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.FINANCING_RECORD}

    @extend_schema(
        operation_id="financing_groups_list",
        summary="Les groupes d'épargne de l'appelant",
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        groups = queries.groups_visible_to(request.user).select_related("quartier")
        return Response({"count": len(groups), "results": [group_json(g) for g in groups]})


class GroupDetail(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.FINANCING_RECORD}

    @extend_schema(summary="Un groupe, ses membres et son règlement", responses={200: dict})
    def get(self, request: Request, pk: Any) -> Response:
        group = get_object_or_404(queries.groups_visible_to(request.user).select_related("quartier"), pk=pk)
        return Response(group_json(group, detail=True))


class Balances(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.FINANCING_RECORD}

    @extend_schema(summary="Les caisses et les soldes des membres", responses={200: dict})
    def get(self, request: Request, pk: Any) -> Response:
        group = get_object_or_404(queries.groups_visible_to(request.user), pk=pk)
        data = queries.group_balances(group)
        data["group"] = str(group.pk)
        for box in data["boxes"]:
            box["cash_text"] = ledger.money(box["cash"])
        return Response(data)


class LoanIn(serializers.Serializer):
    id = serializers.UUIDField()
    member = serializers.UUIDField()
    amount = serializers.IntegerField()
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    kind = serializers.ChoiceField(choices=LoanKind.choices, default=LoanKind.HEALTH)
    referral = serializers.UUIDField(required=False, allow_null=True)
    consultation = serializers.UUIDField(required=False, allow_null=True)
    beneficiary = serializers.UUIDField(required=False, allow_null=True)
    disbursed_on = serializers.DateField()
    between_meetings = serializers.BooleanField(default=False)
    disbursement = serializers.ChoiceField(choices=Disbursement.choices, default=Disbursement.CASH)
    receipt_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class LoanCreate(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.FINANCING_RECORD}

    @extend_schema(
        summary="Décaisser un prêt (santé par défaut)",
        request=LoanIn,
        responses={201: dict, 200: dict, 400: dict, 409: dict},
    )
    def post(self, request: Request, pk: Any) -> Response:
        group = get_object_or_404(queries.groups_visible_to(request.user), pk=pk)
        body = LoanIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        member = Person.objects.filter(pk=data["member"]).first()
        if member is None:
            raise serializers.ValidationError({"member": [_("Cette personne n'est pas membre du groupe.")]})
        household = member.household_id
        referral = consultation = beneficiary = None
        if data.get("referral"):
            referral = Referral.objects.filter(pk=data["referral"], person__household_id=household).first()
            if referral is None:
                raise serializers.ValidationError({"referral": [_("Référence inconnue pour ce ménage.")]})
        if data.get("consultation"):
            consultation = Consultation.objects.filter(
                pk=data["consultation"], person__household_id=household
            ).first()
            if consultation is None:
                raise serializers.ValidationError(
                    {"consultation": [_("Consultation inconnue pour ce ménage.")]}
                )
        if data.get("beneficiary"):
            beneficiary = Person.objects.filter(pk=data["beneficiary"], household_id=household).first()
            if beneficiary is None:
                raise serializers.ValidationError({"beneficiary": [_("Personne inconnue dans ce ménage.")]})
        try:
            loan, created = services.disburse_loan(
                by=request.user,
                group=group,
                loan_id=data["id"],
                member=member,
                amount=data["amount"],
                purpose=data["purpose"],
                kind=data["kind"],
                disbursed_on=data["disbursed_on"],
                between_meetings=data["between_meetings"],
                referral=referral,
                consultation=consultation,
                beneficiary=beneficiary,
                disbursement=data["disbursement"],
                receipt_number=data["receipt_number"],
            )
        except services.Refused as error:
            return _refused(error)
        return Response(loan_json(loan), status=201 if created else 200)


class LoanDetail(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.FINANCING_RECORD}

    @extend_schema(summary="Un prêt, son état et les soins qu'il a payés", responses={200: dict})
    def get(self, request: Request, pk: Any) -> Response:
        loan = get_object_or_404(
            queries.loans_visible_to(request.user).select_related(
                "referral__to_facility", "consultation__facility"
            ),
            pk=pk,
        )
        data = loan_json(loan)
        data["events"] = [
            {"kind": e.kind, "at": e.at, "data": e.data} for e in loan.events.order_by("at", "id")
        ]
        return Response(data)


class RepaymentIn(serializers.Serializer):
    id = serializers.UUIDField()
    amount = serializers.IntegerField()
    paid_on = serializers.DateField()


class RepaymentCreate(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.FINANCING_RECORD}

    @extend_schema(
        summary="Enregistrer un remboursement",
        request=RepaymentIn,
        responses={201: dict, 200: dict, 400: dict, 409: dict},
    )
    def post(self, request: Request, pk: Any) -> Response:
        loan = get_object_or_404(queries.loans_visible_to(request.user).select_related("group"), pk=pk)
        body = RepaymentIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            entry, created = services.record_repayment(
                by=request.user,
                loan=loan,
                repayment_id=data["id"],
                amount=data["amount"],
                paid_on=data["paid_on"],
            )
        except services.Refused as error:
            return _refused(error)
        amount = sum(-p.amount for p in entry.postings.all() if p.loan_id)
        return Response(
            {
                "id": str(entry.pk),
                "loan": str(loan.pk),
                "amount": amount,
                "paid_on": entry.date,
                "outstanding": ledger.loan_outstanding(loan),
            },
            status=201 if created else 200,
        )


class MeetingIn(serializers.Serializer):
    id = serializers.UUIDField()
    held_on = serializers.DateField()
    present = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    contributions = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    fines = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    repayments = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    loans = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    ratify = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    cash_counts = serializers.ListField(child=serializers.DictField(), required=False, default=list)


class MeetingCreate(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"POST": Capability.FINANCING_RECORD}

    @extend_schema(
        summary="Enregistrer la feuille d'une réunion",
        request=MeetingIn,
        responses={201: dict, 200: dict, 400: dict, 409: dict},
    )
    def post(self, request: Request, pk: Any) -> Response:
        group = get_object_or_404(queries.groups_visible_to(request.user), pk=pk)
        body = MeetingIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        meeting_id = data.pop("id")
        try:
            meeting, created = services.record_meeting(
                by=request.user, group=group, meeting_id=meeting_id, **data
            )
        except services.MeetingConflict as error:
            return Response(
                {"code": "meeting_conflict", "detail": error.detail, "meeting": str(error.meeting.pk)},
                status=409,
            )
        except services.Refused as error:
            return _refused(error)
        except (TypeError, ValueError, KeyError):
            raise serializers.ValidationError({"detail": [_("Feuille de réunion mal formée.")]}) from None
        return Response(
            {
                "id": str(meeting.pk),
                "held_on": meeting.held_on,
                "entries": meeting.entries.count(),
                "cash_counts": [
                    {"box": c.box, "expected": c.expected, "counted": c.counted, "reason": c.reason}
                    for c in meeting.cash_counts.all()
                ],
            },
            status=201 if created else 200,
        )


class Summary(APIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.AGGREGATES_VIEW}

    @extend_schema(
        summary="Indicateurs des prêts santé (sans nom)",
        responses={200: inline_serializer("FinancingSummary", {"groups": serializers.IntegerField()})},
    )
    def get(self, request: Request) -> Response:
        return Response(queries.programme_summary())
