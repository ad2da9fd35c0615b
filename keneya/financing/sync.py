"""The meeting sheet and the between-meetings health loan as syncable types (docs/sync.md).

The facilitator's tablet (a CHW's: the ``sync`` device holders) keeps a group's meeting sheet
offline and pushes it whole:

- ``fin_meeting``: the sheet (attendance, contributions, fines, repayments, loans issued and
  ratified, cash counts), applied by ``services.record_meeting`` in the record's savepoint. The
  same id again is a ``duplicate`` (nothing new); another sheet for the same group and day
  (a second tablet) is parked as a ``SheetConflict`` for the facilitator (``conflict`` in the
  result): nothing of it is paid, so a meeting is never paid twice.
- ``fin_loan``: a health loan the box keeper disbursed between meetings (``services.disburse_loan``,
  within the emergency limit, to ratify at the next meeting).

Pull extra ``financing``: the groups the CHW facilitates, with their members, constitution,
boxes and open loans, so the sheet can be kept offline.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from keneya.financing import ledger, queries, services
from keneya.financing.models import Loan, Meeting, SavingsGroup
from keneya.referrals.models import Referral
from keneya.sync import incoming
from keneya.sync.fields import boolean, coerce, date_or_none, json_object, text, uuid_value
from keneya.sync.registry import Batch, Direction, Incoming, SyncType, register, register_pull_extra

MEETING = "fin_meeting"
LOAN = "fin_loan"


def _group(batch: Batch, group_id: Any) -> SavingsGroup:
    group = queries.groups_visible_to(batch.user).filter(pk=group_id).first() if group_id else None
    if group is None:
        raise ValidationError({"group": [_("Groupe inconnu.")]})
    return group


def _apply_meeting(batch: Batch, record: Incoming) -> dict[str, Any]:
    values = coerce(MEETING_TYPE, record.fields)
    group = _group(batch, values.get("group"))
    sheet = values.get("sheet", {})
    held_on = values.get("held_on")
    if held_on is None:
        raise ValidationError({"held_on": [_("La date de la réunion est requise.")]})
    try:
        meeting, created = services.record_meeting(
            by=batch.user,
            group=group,
            meeting_id=record.id,
            held_on=held_on,
            present=sheet.get("present", []),
            contributions=sheet.get("contributions", []),
            fines=sheet.get("fines", []),
            repayments=sheet.get("repayments", []),
            loans=sheet.get("loans", []),
            ratify=sheet.get("ratify", []),
            cash_counts=sheet.get("cash_counts", []),
        )
    except services.MeetingConflict as conflict:
        parked = services.park_conflicting_sheet(
            by=batch.user, meeting=conflict.meeting, sheet={**sheet, "id": str(record.id)}
        )
        return {"status": "accepted", "conflict": str(parked.pk), "meeting": str(conflict.meeting.pk)}
    except services.Refused as error:
        raise ValidationError({"sheet": [error.detail]}) from None
    except services.IdTaken:
        raise incoming.IdTaken from None
    return {"status": "accepted" if created else "duplicate", "meeting": str(meeting.pk)}


def _apply_loan(batch: Batch, record: Incoming) -> dict[str, Any]:
    values = coerce(LOAN_TYPE, record.fields)
    group = _group(batch, values.get("group"))
    referral = None
    if values.get("referral"):
        referral = Referral.objects.filter(pk=values["referral"]).first()
        if referral is None:
            raise ValidationError({"referral": [_("Référence inconnue.")]})
    amount = values.get("amount", 0)
    try:
        loan, created = services.disburse_loan(
            by=batch.user,
            group=group,
            loan_id=record.id,
            member=values.get("member"),
            amount=amount,
            purpose=values.get("purpose", ""),
            disbursed_on=values.get("disbursed_on"),  # type: ignore[arg-type]  # None: the service refuses it
            between_meetings=values.get("between_meetings", True),
            referral=referral,
            disbursement=values.get("disbursement") or "cash",
            receipt_number=values.get("receipt_number", ""),
        )
    except services.Refused as error:
        raise ValidationError({"amount": [error.detail]}) from None
    except services.IdTaken:
        raise incoming.IdTaken from None
    return {"status": "accepted" if created else "duplicate", "outstanding": ledger.loan_outstanding(loan)}


def _amount(field: str, value: Any) -> int:
    """An integer F CFA (JSON may carry 3000.0)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer():
        raise ValidationError({field: [_("Montant en F CFA entier.")]})
    return int(value)


def _uuid_or_none(field: str, value: Any) -> Any:
    return None if value in (None, "") else uuid_value(field, value)


def _meetings_in_scope(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.filter(group__in=queries.groups_visible_to(user).values("pk"))


def _loans_in_scope(user: Any) -> QuerySet[Loan]:
    return queries.loans_visible_to(user)


def _facilitated(obj: Any, chw_id: Any) -> bool:
    return bool(obj.group.facilitator_id == chw_id)


MEETING_TYPE = register(
    SyncType(
        name=MEETING,
        model=Meeting,
        order=70,
        direction=Direction.PUSH,
        mergeable=False,  # a sheet is posted whole; a second one for the day is a conflict
        fields={"group": uuid_value, "held_on": date_or_none, "sheet": json_object},
        ops=("create",),
        apply=_apply_meeting,
        scope=_meetings_in_scope,
        chw="group__facilitator",
        live=_facilitated,
        payload=lambda meeting: {"group": str(meeting.group_id), "held_on": meeting.held_on.isoformat()},
        select_related=("group",),
    )
)

LOAN_TYPE = register(
    SyncType(
        name=LOAN,
        model=Loan,
        order=71,
        direction=Direction.PUSH,
        mergeable=False,
        fields={
            "group": uuid_value,
            "member": uuid_value,
            "amount": _amount,
            "purpose": text,
            "referral": _uuid_or_none,
            "disbursed_on": date_or_none,
            "between_meetings": boolean,
            "disbursement": text,
            "receipt_number": text,
        },
        ops=("create",),
        apply=_apply_loan,
        scope=_loans_in_scope,
        chw="group__facilitator",
        live=_facilitated,
        payload=lambda loan: {"group": str(loan.group_id), "amount": loan.amount},
        select_related=("group",),
    )
)


def pulled_groups(chw: Any) -> list[dict[str, Any]]:
    """The groups the CHW facilitates, for the offline sheet: members, constitution, boxes,
    open loans (amounts are the group's business: only its facilitator's tablet gets them)."""
    out = []
    for group in SavingsGroup.objects.filter(facilitator=chw).select_related("quartier"):
        cycle = queries.open_cycle(group)
        balances = queries.group_balances(group)
        out.append(
            {
                "id": str(group.pk),
                "name": group.name,
                "constitution": None
                if cycle is None
                else {
                    "contribution": cycle.contribution,
                    "health_part": cycle.health_part,
                    "max_shares": cycle.max_shares,
                    "fine_absence": cycle.fine_absence,
                    "health_loan_max": cycle.health_loan_max,
                    "emergency_loan_max": cycle.emergency_loan_max,
                },
                "boxes": [{"box": b["box"], "cash": b["cash"]} for b in balances["boxes"]],
                "members": [
                    {"person": m["member"], "name": m["name"], "savings": m["savings"]}
                    for m in balances["members"]
                ],
                "loans": [
                    {
                        "id": str(loan.pk),
                        "member": str(loan.member_id),
                        "outstanding": state["outstanding"],
                        "to_ratify": state["status"] == "to_ratify",
                    }
                    for loan, state in queries.group_loans(group)
                    if state["outstanding"] > 0
                ],
            }
        )
    return out


register_pull_extra("financing", pulled_groups)
