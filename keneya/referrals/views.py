"""Referral pages: the facility's list with its actions, the printable slip, refer to the CSRef.

Actions are htmx POSTs that answer with the updated row; without htmx they redirect to the
list (or show the error on a small page, status 400).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keneya.accounts.permissions import Capability, require_capability
from keneya.people.scope import persons_visible_to
from keneya.referrals import queries, services
from keneya.referrals.forms import CounterReferralForm, ReferToCsrefForm
from keneya.referrals.models import Referral, ReferralStatus
from keneya.visits import display

PAGE_SIZE = 30


def _get_referral(request: HttpRequest, referral_id: Any) -> Referral:
    try:
        return queries.referral_detail(user=request.user, referral_id=referral_id)
    except Referral.DoesNotExist:
        raise Http404 from None


@require_capability(Capability.REFERRAL_MANAGE)
def referral_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("statut") or None
    if status not in (None, *ReferralStatus.values):
        status = None
    page = Paginator(queries.facility_referrals(user=request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "referrals/referral_list.html",
        {
            "page": page,
            "statut": status or "",
            "statuses": ReferralStatus.choices,
            "note_form": CounterReferralForm(),
        },
    )


def _row(
    request: HttpRequest, referral: Referral, *, error: str = "", note_form: CounterReferralForm | None = None
) -> HttpResponse:
    """The answer to an action: the row (htmx), else back to the list or an error page."""
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "referrals/_referral_row.html",
            {"r": referral, "error": error, "note_form": note_form or CounterReferralForm()},
        )
    if error:
        return render(
            request, "referrals/action_error.html", {"referral": referral, "error": error}, status=400
        )
    return redirect("referrals:referral_list")


def _act(
    request: HttpRequest, referral_id: Any, action: Callable[..., Referral], done: str, **kwargs: Any
) -> HttpResponse:
    referral = _get_referral(request, referral_id)
    try:
        referral = action(by=request.user, referral=referral, **kwargs)
    except ValidationError as exc:
        return _row(request, referral, error=" ".join(exc.messages))
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, done)
    return _row(request, referral)


@require_capability(Capability.REFERRAL_MANAGE)
@require_POST
def referral_arrived(request: HttpRequest, referral_id: Any) -> HttpResponse:
    return _act(request, referral_id, services.mark_arrived, _("Arrivée enregistrée."))


@require_capability(Capability.REFERRAL_MANAGE)
@require_POST
def referral_not_arrived(request: HttpRequest, referral_id: Any) -> HttpResponse:
    return _act(
        request,
        referral_id,
        lambda by, referral: services.mark_not_arrived(by=by, referral=referral),
        _("Référence déclarée non arrivée : le relais va relancer la famille."),
    )


@require_capability(Capability.REFERRAL_MANAGE)
@require_POST
def referral_counter_refer(request: HttpRequest, referral_id: Any) -> HttpResponse:
    form = CounterReferralForm(request.POST)
    if not form.is_valid():
        referral = _get_referral(request, referral_id)
        return _row(
            request, referral, error=" ".join(str(e) for e in form.errors.get("note", [])), note_form=form
        )
    return _act(
        request,
        referral_id,
        services.counter_refer,
        _("Contre-référence envoyée au relais."),
        note=form.cleaned_data["note"],
    )


@require_capability(Capability.REFERRAL_MANAGE)
@require_POST
def referral_close(request: HttpRequest, referral_id: Any) -> HttpResponse:
    return _act(request, referral_id, services.close_referral, _("Référence clôturée."))


@require_capability(Capability.REGISTRY_VIEW)
def referral_slip(request: HttpRequest, referral_id: Any) -> HttpResponse:
    """The paper that goes with the family: printable, in French."""
    referral = _get_referral(request, referral_id)
    visit = referral.visit
    return render(
        request,
        "referrals/slip.html",
        {
            "referral": referral,
            "person": referral.person,
            "visit": visit,
            "signs": [display.sign_label(code, visit.kind if visit else "") for code in referral.findings],
            "reasons": display.trigger_texts(visit.assessment) if visit else [],
        },
    )


@require_capability(Capability.REFERRAL_MANAGE)
@require_http_methods(["GET", "POST"])
def refer_to_csref(request: HttpRequest, person_id: Any) -> HttpResponse:
    person = persons_visible_to(request.user).select_related("household").filter(pk=person_id).first()
    if person is None:
        raise Http404
    form = ReferToCsrefForm(request.POST or None)
    facility = getattr(request.user, "facility", None)
    target = facility.refers_to if facility is not None else None
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.refer_to_csref(
                by=request.user,
                person=person,
                reason=form.cleaned_data["reason"],
                urgent=form.cleaned_data["urgent"],
            )
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(key if key in form.fields else None, error)
        else:
            messages.success(
                request,
                _("Référence vers le %(facility)s enregistrée.") % {"facility": referral.to_facility.name},
            )
            return redirect("referrals:referral_slip", referral_id=referral.pk)
    return render(
        request,
        "referrals/refer_form.html",
        {
            "form": form,
            "person": person,
            "target": target,
        },
        status=400 if form.errors else 200,
    )
