"""The M&E officer's DHIS2 pages: choose a month, see its values mapped (and those that are not),
ask a dry-run, read every conflict against its cell, then push. Thin: the work is in
``mapping``, ``services`` and the worker (``tasks``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keneya.accounts.permissions import Capability, require_capability
from keneya.interop.dhis2 import client, mapping, queries, services
from keneya.interop.dhis2.models import Push, PushStatus

PREVIEW_ROWS = 300  # the page lists this many values (and unmapped cells); the push carries them all


def _period_or_404(period: str) -> str:
    try:
        mapping.parse_period(period)
    except ValidationError as exc:
        raise Http404 from exc
    return period


def _with_labels(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "cell_label": queries.cell_label(row.get("cell") or {})} for row in rows]


@require_capability(Capability.REPORTS_SUBMIT)
def home(request: HttpRequest) -> HttpResponse:
    chosen = request.GET.get("mois", "")
    if chosen:
        try:
            mapping.parse_period(chosen)
        except ValidationError:
            messages.error(request, _("Mois invalide : choisissez un mois (AAAA-MM)."))
        else:
            return redirect("dhis2:month", period=chosen)
    return render(
        request,
        "dhis2/home.html",
        {
            "configured": client.is_configured(),
            "server": client.server_url(),
            "default_month": queries.previous_month(),
            "pushes": queries.recent_pushes(),
        },
    )


@require_capability(Capability.REPORTS_SUBMIT)
def month(request: HttpRequest, period: str) -> HttpResponse:
    _period_or_404(period)
    prepared = mapping.prepare(period)
    dry_run = services.latest_dry_run(period)
    dry_run_matches = dry_run is not None and dry_run.values_hash == prepared.values_hash()
    return render(
        request,
        "dhis2/month.html",
        {
            "period": period,
            "dhis2_period": mapping.dhis2_period(period),
            "configured": client.is_configured(),
            "values": _with_labels(prepared.values[:PREVIEW_ROWS]),
            "value_count": len(prepared.values),
            "unmapped": _with_labels(prepared.unmapped[:PREVIEW_ROWS]),
            "unmapped_count": len(prepared.unmapped),
            "data_set_uid": prepared.data_set_uid,
            "dry_run": dry_run,
            "dry_run_matches": dry_run_matches,
            "dry_run_conflicts": dry_run.conflicts.count() if dry_run else 0,
            "pushes": queries.pushes_for(period)[:20],
            "deadline": services.deadline_for(period),
            "reported": queries.last_real_push(period),
        },
    )


def _request(request: HttpRequest, period: str, *, dry_run: bool) -> HttpResponse:
    _period_or_404(period)
    try:
        push = services.request_push(
            by=request.user,
            period=period,
            dry_run=dry_run,
            accept_conflicts=request.POST.get("accept_conflicts") == "1",
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("dhis2:month", period=period)
    messages.success(
        request,
        _("Essai à blanc demandé : DHIS2 vérifie les valeurs sans les enregistrer.")
        if dry_run
        else _("Envoi demandé : il part en arrière-plan, cette page affichera la réponse de DHIS2."),
    )
    return redirect("dhis2:push_detail", push_id=push.pk)


@require_POST
@require_capability(Capability.REPORTS_SUBMIT)
def dry_run(request: HttpRequest, period: str) -> HttpResponse:
    return _request(request, period, dry_run=True)


@require_POST
@require_capability(Capability.REPORTS_SUBMIT)
def push(request: HttpRequest, period: str) -> HttpResponse:
    return _request(request, period, dry_run=False)


@require_capability(Capability.REPORTS_SUBMIT)
def push_detail(request: HttpRequest, push_id: Any) -> HttpResponse:
    push = get_object_or_404(Push.objects.select_related("requested_by"), pk=push_id)
    return render(
        request,
        "dhis2/push_detail.html",
        {
            "push": push,
            "conflicts": [
                {"conflict": c, "cell_label": queries.cell_label(c.cell) if c.indicator else ""}
                for c in queries.conflicts_of(push)
            ],
            "unmapped": _with_labels(push.unmapped[:PREVIEW_ROWS]),
            "unmapped_count": len(push.unmapped),
            "value_count": len(push.values),
            "waiting": push.status in (PushStatus.QUEUED, PushStatus.RUNNING, PushStatus.RETRY),
        },
    )
