"""The CHW's visit pages: choose the kind, answer the questions, see the engine's result.

Thin: the form parses, ``services.record_home_visit`` assesses and stores (with its alert and
referral), the result page reads the stored assessment back.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from keneya.accounts.permissions import Capability, require_capability
from keneya.clinical.immunization import canonical_code
from keneya.people.models import Person, VitalStatus
from keneya.people.scope import persons_visible_to
from keneya.visits import display, queries, services
from keneya.visits.forms import (
    KIND_SLUGS,
    SLUG_FOR_KIND,
    VisitForm,
    asks_vaccination_card,
    available_kinds,
)
from keneya.visits.models import Observation, Visit, VisitKind

KIND_HINTS: dict[str, Any] = {
    VisitKind.SICK_CHILD: _("Toux, diarrhée, fièvre, signes de danger"),
    VisitKind.CHILD_FOLLOWUP: _("Poids, taille, périmètre brachial"),
    VisitKind.PREGNANCY: _("Signes de danger, date des dernières règles"),
    VisitKind.POSTNATAL: _("Signes de danger de la mère ou du nouveau-né"),
}


def _vaccination_card(person_id: Any) -> list[tuple[str, date, Any]]:
    """The person's stored card: (dose code, date given, visit id), codes of the schedule."""
    rows: list[tuple[str, date, Any]] = []
    for code, given, visit_id in Observation.objects.filter(
        person_id=person_id,
        voided_at__isnull=True,
        code__startswith=services.VACCINE_OBSERVATION_PREFIX,
        value_date__isnull=False,
    ).values_list("code", "value_date", "visit_id"):
        assert given is not None  # value_date__isnull=False
        try:
            rows.append(
                (canonical_code(code.removeprefix(services.VACCINE_OBSERVATION_PREFIX)), given, visit_id)
            )
        except ValueError:
            continue  # a dose since removed from the schedule
    return rows


def _earliest(rows: list[tuple[str, date, Any]]) -> dict[str, date]:
    out: dict[str, date] = {}
    for code, given, _visit in rows:
        if code not in out or given < out[code]:
            out[code] = given
    return out


def _get_person(request: HttpRequest, person_id: Any) -> Person:
    person = (
        persons_visible_to(request.user)
        .select_related("household")
        .filter(pk=person_id, merged_into__isnull=True)
        .first()
    )
    if person is None:
        raise Http404
    return person


@require_capability(Capability.VISIT_RECORD)
def visit_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    person = _get_person(request, person_id)
    alive = person.vital_status == VitalStatus.ALIVE
    kinds = available_kinds(person, timezone.localdate()) if alive else []
    return render(
        request,
        "visits/visit_new.html",
        {
            "person": person,
            "alive": alive,
            "kinds": [(SLUG_FOR_KIND[k], VisitKind(k).label, KIND_HINTS[k]) for k in kinds],
        },
    )


@require_capability(Capability.VISIT_RECORD)
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest, person_id: Any, kind_slug: str) -> HttpResponse:
    person = _get_person(request, person_id)
    today = timezone.localdate()
    kind = KIND_SLUGS.get(kind_slug)
    if kind is None or kind not in available_kinds(person, today):
        raise Http404
    card = _earliest(_vaccination_card(person.pk)) if asks_vaccination_card(kind, person, today) else {}
    form = VisitForm(request.POST or None, person=person, kind=kind, today=today, doses_recorded=card)
    if request.method == "POST" and form.is_valid():
        findings, measurements = form.visit_input()
        try:
            visit = services.record_home_visit(
                by=request.user,
                person=person,
                visit_date=form.cleaned_data["visit_date"],
                kind=kind,
                findings=findings,
                measurements=measurements,
                id=form.cleaned_data["id"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("visits:visit_result", visit_id=visit.pk)
    return render(
        request,
        "visits/visit_form.html",
        {
            "form": form,
            "person": person,
            "kind_label": VisitKind(kind).label,
        },
        status=400 if form.errors else 200,
    )


@require_capability(Capability.VISIT_RECORD)
def visit_result(request: HttpRequest, visit_id: Any) -> HttpResponse:
    try:
        visit = queries.visit_detail(user=request.user, visit_id=visit_id)
    except Visit.DoesNotExist:
        raise Http404 from None
    vaccination = None
    if asks_vaccination_card(visit.kind, visit.person, visit.visit_date):
        card = _vaccination_card(visit.person_id)
        vaccination = display.vaccination_summary(
            date_of_birth=visit.person.date_of_birth,
            visit_date=visit.visit_date,
            recorded_here=_earliest([row for row in card if row[2] == visit.pk]),
            known=_earliest(card),
        )
    return render(
        request,
        "visits/visit_result.html",
        {
            "visit": visit,
            "result": display.present(visit.assessment, visit.kind),
            "referral": getattr(visit, "referral", None),
            "alerts": list(visit.alerts.all()),
            "vaccination": vaccination,
        },
    )
