"""The clinician's inbox: the CSCom's open alerts, urgent first then oldest first, and triage.

Triage actions are htmx POSTs that answer with the updated row; without htmx they redirect to
the inbox (or show the error on a small page, status 400).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keneya.accounts.permissions import Capability, require_capability
from keneya.alerts import queries, services
from keneya.alerts.forms import CloseForm, ConvokeForm
from keneya.alerts.hooks import inbox_rows
from keneya.alerts.models import Alert, CloseReason

PAGE_SIZE = 50


def _get_alert(request: HttpRequest, alert_id: Any) -> Alert:
    try:
        return queries.alert_detail(user=request.user, alert_id=alert_id)
    except Alert.DoesNotExist:
        raise Http404 from None


def _row_context(alert: Alert, **extra: Any) -> dict[str, Any]:
    return {"alert": alert, "close_reasons": CloseReason.choices, "today": timezone.localdate(), **extra}


@require_capability(Capability.ALERTS_TRIAGE)
def alert_inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.inbox(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    # One call for the page (coverage from social protection): {person id: [lines]}.
    extra: dict[Any, list[str]] = {}
    for part in inbox_rows(request.user, [alert.person for alert in page]):
        for person_id, lines in part.items():
            extra.setdefault(person_id, []).extend(lines)
    for alert in page:
        alert.extra_lines = extra.get(alert.person_id, [])  # type: ignore[attr-defined]
    return render(
        request,
        "alerts/inbox.html",
        {
            "page": page,
            "close_reasons": CloseReason.choices,
            "today": timezone.localdate(),
        },
    )


def _answer(request: HttpRequest, alert: Alert, *, error: str = "") -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        alert.extra_lines = [  # type: ignore[attr-defined]
            line
            for part in inbox_rows(request.user, [alert.person])
            for line in part.get(alert.person_id, [])
        ]
        return render(request, "alerts/_alert_row.html", _row_context(alert, error=error))
    if error:
        return render(request, "alerts/action_error.html", {"alert": alert, "error": error}, status=400)
    return redirect("alerts:alert_inbox")


def _act(
    request: HttpRequest,
    alert_id: Any,
    action: Callable[..., Alert],
    done: str,
    form: ConvokeForm | CloseForm | None = None,
    **kwargs: Any,
) -> HttpResponse:
    alert = _get_alert(request, alert_id)  # scope first: another CSCom gets a 404
    if form is not None:
        if not form.is_valid():
            errors = [str(e) for errs in form.errors.values() for e in errs]
            return _answer(request, alert, error=" ".join(errors))
        kwargs.update(form.cleaned_data)
    try:
        alert = action(by=request.user, alert=alert, **kwargs)
    except ValidationError as exc:
        return _answer(request, alert, error=" ".join(exc.messages))
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, done)
    return _answer(request, alert)


@require_capability(Capability.ALERTS_TRIAGE)
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: Any) -> HttpResponse:
    return _act(request, alert_id, services.acknowledge_alert, _("Alerte prise en compte."))


@require_capability(Capability.ALERTS_TRIAGE)
@require_POST
def alert_convoke(request: HttpRequest, alert_id: Any) -> HttpResponse:
    return _act(
        request,
        alert_id,
        services.convoke_family,
        _("Famille convoquée : le relais est prévenu."),
        form=ConvokeForm(request.POST),
    )


@require_capability(Capability.ALERTS_TRIAGE)
@require_POST
def alert_close(request: HttpRequest, alert_id: Any) -> HttpResponse:
    return _act(request, alert_id, services.close_alert, _("Alerte clôturée."), form=CloseForm(request.POST))
