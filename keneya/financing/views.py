"""Savings-group pages (``/tontines/…``): the groups, a group's boxes and members, the meeting
sheet, a health loan (from a referral), the share-out, the cash book and statements (PDF), the
SAVIX export. Thin: scope through ``queries.groups_visible_to`` (404 outside it), writes
through the services."""

from __future__ import annotations

import csv
import uuid
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keneya.accounts.permissions import Capability, has_capability, require_capability
from keneya.core.pdf import pdf_response
from keneya.financing import queries, reports, services
from keneya.financing.models import Box, Disbursement, Purpose, SavingsGroup
from keneya.referrals.models import Referral


def _group(request: HttpRequest, group_id: Any) -> SavingsGroup:
    return get_object_or_404(queries.groups_visible_to(request.user).select_related("quartier"), pk=group_id)


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return list(error.messages)


def _int(value: Any, default: int = 0) -> int:
    if value is None:
        return default
    try:
        return int(str(value).replace(" ", "").strip() or default)
    except ValueError:
        raise ValidationError({"amount": [_("Montant en F CFA entier.")]}) from None


@require_capability(Capability.FINANCING_RECORD)
def group_list(request: HttpRequest) -> HttpResponse:
    groups = list(queries.groups_visible_to(request.user).select_related("quartier"))
    rows = [{"group": g, "balances": queries.group_balances(g)} for g in groups]
    return render(request, "financing/group_list.html", {"rows": rows})


@require_capability(Capability.FINANCING_RECORD)
def group_detail(request: HttpRequest, group_id: Any) -> HttpResponse:
    group = _group(request, group_id)
    return render(
        request,
        "financing/group_detail.html",
        {
            "group": group,
            "cycle": queries.open_cycle(group),
            "balances": queries.group_balances(group),
            "loans": queries.group_loans(group)[:50],
            "meetings": group.meetings.order_by("-held_on")[:10],
        },
    )


def _sheet_from_post(request: HttpRequest, group: SavingsGroup) -> dict[str, Any]:
    post = request.POST
    members = list(queries.current_members(group))
    present = [m.person_id for m in members if post.get(f"present_{m.person_id}")]
    contributions = []
    fines = []
    for m in members:
        shares = _int(post.get(f"shares_{m.person_id}"), 0)
        if shares:
            contributions.append({"member": m.person_id, "shares": shares})
        fine = _int(post.get(f"fine_{m.person_id}"), 0)
        if fine:
            fines.append({"member": m.person_id, "amount": fine, "reason": _("Amende de réunion")})
    repayments = []
    for loan, state in queries.group_loans(group):
        amount = _int(post.get(f"repay_{loan.pk}"), 0)
        if amount and state["outstanding"] > 0:
            repayments.append(
                {
                    "id": uuid.uuid5(uuid.UUID(post["meeting_id"]), str(loan.pk)),
                    "loan": loan.pk,
                    "amount": amount,
                }
            )
    ratify = [loan.pk for loan in queries.loans_to_ratify(group) if post.get(f"ratify_{loan.pk}")]
    cash_counts = []
    for box in Box.values:
        counted = post.get(f"counted_{box}", "").strip()
        if counted:
            cash_counts.append(
                {"box": box, "counted": _int(counted), "reason": post.get(f"reason_{box}", "")}
            )
    return {
        "present": present,
        "contributions": contributions,
        "fines": fines,
        "repayments": repayments,
        "ratify": ratify,
        "cash_counts": cash_counts,
    }


@require_capability(Capability.FINANCING_RECORD)
def meeting_sheet(request: HttpRequest, group_id: Any) -> HttpResponse:
    group = _group(request, group_id)
    cycle = queries.open_cycle(group)
    errors: list[str] = []
    if request.method == "POST" and cycle is not None:
        try:
            meeting_id = uuid.UUID(request.POST.get("meeting_id", ""))
            held_on = date.fromisoformat(request.POST.get("held_on", ""))
        except ValueError:
            errors.append(_("Date ou identifiant de réunion invalide."))
        else:
            try:
                sheet = _sheet_from_post(request, group)
                services.record_meeting(
                    by=request.user, group=group, meeting_id=meeting_id, held_on=held_on, **sheet
                )
            except services.Refused as error:
                errors.append(error.detail)
            except ValidationError as error:
                errors.extend(_errors(error))
            else:
                messages.success(request, _("Réunion enregistrée ; les reçus partent par SMS."))
                return redirect("financing:group_detail", group_id=group.pk)
    members = list(queries.current_members(group))
    balances = {m["member"]: m for m in queries.group_balances(group)["members"]}
    loans = [(loan, state) for loan, state in queries.group_loans(group) if state["outstanding"] > 0]
    return render(
        request,
        "financing/meeting_sheet.html",
        {
            "group": group,
            "cycle": cycle,
            "rows": [{"membership": m, "balances": balances.get(str(m.person_id), {})} for m in members],
            "loans": loans,
            "to_ratify": list(queries.loans_to_ratify(group)),
            "boxes": queries.group_balances(group)["boxes"],
            "meeting_id": request.POST.get("meeting_id") or uuid.uuid4(),
            "held_on": request.POST.get("held_on") or timezone.localdate().isoformat(),
            "errors": errors,
            "post": request.POST,
        },
        status=400 if errors else 200,
    )


def _referrals_for(group: SavingsGroup) -> list[Referral]:
    """Recent referrals of the members' households (the loan's care), newest first, no reason."""
    households = queries.current_members(group).values("person__household_id")
    since = timezone.now() - timedelta(days=60)
    return list(
        Referral.objects.filter(person__household_id__in=households, issued_at__gte=since)
        .select_related("person", "to_facility")
        .order_by("-issued_at")[:30]
    )


@require_capability(Capability.FINANCING_RECORD)
def loan_create(request: HttpRequest, group_id: Any) -> HttpResponse:
    group = _group(request, group_id)
    members = list(queries.current_members(group))
    referrals = _referrals_for(group)
    errors: list[str] = []
    post = request.POST if request.method == "POST" else None
    if post is not None:
        try:
            referral = next((r for r in referrals if str(r.pk) == post.get("referral")), None)
            member_id = post.get("member", "")
            if referral is not None and not member_id:
                member_id = next(
                    (
                        str(m.person_id)
                        for m in members
                        if m.person.household_id == referral.person.household_id
                    ),
                    "",
                )
            loan, _created = services.disburse_loan(
                by=request.user,
                group=group,
                loan_id=uuid.UUID(post.get("loan_id", "")),
                member=next((m.person for m in members if str(m.person_id) == member_id), None),
                amount=_int(post.get("amount")),
                purpose=post.get("purpose", ""),
                disbursed_on=date.fromisoformat(post.get("disbursed_on", "")),
                between_meetings=bool(post.get("between_meetings")),
                referral=referral,
                disbursement=post.get("disbursement", Disbursement.CASH),
                receipt_number=post.get("receipt_number", ""),
            )
        except services.Refused as error:
            errors.append(error.detail)
        except ValidationError as error:
            errors.extend(_errors(error))
        except ValueError:
            errors.append(_("Date ou montant invalide."))
        else:
            messages.success(request, _("Prêt santé décaissé."))
            return redirect("financing:loan_detail", loan_id=loan.pk)
    chosen = request.GET.get("reference") or (post.get("referral") if post else "")
    return render(
        request,
        "financing/loan_form.html",
        {
            "group": group,
            "cycle": queries.open_cycle(group),
            "members": members,
            "referrals": referrals,
            "chosen": chosen,
            "purposes": [(v, lbl) for v, lbl in Purpose.choices if v != Purpose.BUSINESS],
            "disbursements": Disbursement.choices,
            "health_cash": queries.box_cash(group, Box.HEALTH),
            "loan_id": (post.get("loan_id") if post else None) or uuid.uuid4(),
            "today": timezone.localdate().isoformat(),
            "errors": errors,
            "post": post or {},
        },
        status=400 if errors else 200,
    )


@require_capability(Capability.FINANCING_RECORD)
def loan_detail(request: HttpRequest, loan_id: Any) -> HttpResponse:
    loan = get_object_or_404(
        queries.loans_visible_to(request.user).select_related(
            "group", "member", "beneficiary", "referral__to_facility"
        ),
        pk=loan_id,
    )
    return render(
        request,
        "financing/loan_detail.html",
        {
            "loan": loan,
            "state": queries.loan_state(loan),
            "events": loan.events.order_by("at", "id"),
            "schedule": reports.schedule(loan),
        },
    )


@require_POST
@require_capability(Capability.FINANCING_RECORD)
def loan_decision(request: HttpRequest, loan_id: Any) -> HttpResponse:
    """A group decision on a loan: reschedule it (a new due date) or write it off."""
    loan = get_object_or_404(queries.loans_visible_to(request.user).select_related("group"), pk=loan_id)
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")
    today = timezone.localdate()
    try:
        if action == "reschedule":
            due_on = date.fromisoformat(request.POST.get("due_on", ""))
            services.reschedule_loan(by=request.user, loan=loan, due_on=due_on, on=today, reason=reason)
            messages.success(request, _("Échéance reportée."))
        elif action == "write_off":
            services.write_off_loan(by=request.user, loan=loan, on=today, reason=reason)
            messages.success(request, _("Prêt passé en perte."))
        else:
            raise ValidationError({"action": [_("Décision inconnue.")]})
    except services.Refused as error:
        messages.error(request, error.detail)
        return HttpResponse(error.detail, status=400)
    except ValidationError as error:
        return HttpResponse(" ".join(_errors(error)), status=400)
    except ValueError:
        return HttpResponse(_("Date invalide."), status=400)
    return redirect("financing:loan_detail", loan_id=loan.pk)


@require_capability(Capability.FINANCING_RECORD)
def share_out(request: HttpRequest, group_id: Any) -> HttpResponse:
    group = _group(request, group_id)
    cycle = queries.open_cycle(group)
    if cycle is None:
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.post_share_out(
                by=request.user,
                cycle=cycle,
                on=timezone.localdate(),
                approved=bool(request.POST.get("approved")),
            )
        except services.Refused as error:
            errors.append(error.detail)
        else:
            messages.success(request, _("Partage enregistré ; le cycle est clôturé."))
            return redirect("financing:group_detail", group_id=group.pk)
    try:
        lines, totals = services.share_out_lines(cycle)
    except services.Refused as error:
        lines, totals = [], {}
        errors.append(error.detail)
    names = {m["member"]: m["name"] for m in queries.group_balances(group)["members"]}
    return render(
        request,
        "financing/share_out.html",
        {
            "group": group,
            "cycle": cycle,
            "lines": [(names.get(line.member, "—"), line) for line in lines],
            "totals": totals,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _period(request: HttpRequest) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        start = (
            date.fromisoformat(request.GET.get("du", ""))
            if request.GET.get("du")
            else today - timedelta(days=90)
        )
        end = date.fromisoformat(request.GET.get("au", "")) if request.GET.get("au") else today
    except ValueError:
        start, end = today - timedelta(days=90), today
    return start, end


@require_capability(Capability.FINANCING_RECORD)
def cash_book(request: HttpRequest, group_id: Any) -> HttpResponse:
    group = _group(request, group_id)
    start, end = _period(request)
    book = queries.cash_book(group, start=start, end=end)
    return pdf_response(
        "financing/cash_book.html",
        {
            "group": group,
            "start": start,
            "end": end,
            "book": book,
            "balances": queries.group_balances(group),
            "today": timezone.localdate(),
        },
        request,
        filename=f"livre-de-caisse-{start}-{end}.pdf",
    )


@require_capability(Capability.FINANCING_RECORD)
def statement(request: HttpRequest, group_id: Any, person_id: Any) -> HttpResponse:
    group = _group(request, group_id)
    membership = group.memberships.filter(person_id=person_id).select_related("person").first()
    if membership is None:
        raise Http404
    start, end = _period(request)
    return pdf_response(
        "financing/statement.html",
        {
            "group": group,
            "person": membership.person,
            "start": start,
            "end": end,
            "statement": queries.member_statement(group, membership.person, start=start, end=end),
            "today": timezone.localdate(),
        },
        request,
        filename=f"releve-{start}-{end}.pdf",
    )


def savix(request: HttpRequest) -> HttpResponse:
    """The SAVIX group items per quarter, as CSV: the M&E officer's for every group (no names),
    a treasurer's or facilitator's for her groups."""
    user = request.user
    if not user.is_authenticated:
        return redirect("login")
    if has_capability(user, Capability.AGGREGATES_VIEW):
        groups = SavingsGroup.objects.all()
    elif has_capability(user, Capability.FINANCING_RECORD):
        groups = queries.groups_visible_to(user)
    else:
        return HttpResponse(status=403)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="savix.csv"'
    writer = csv.writer(response)
    writer.writerow(reports.SAVIX_COLUMNS)
    for row in reports.savix_rows(groups.select_related("quartier")):
        writer.writerow(row)
    return response
