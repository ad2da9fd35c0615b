"""The CHW's visit pages: choose the kind, answer the questions, see the engine's result.

Thin: the form parses, ``services.record_home_visit`` assesses and stores (with its alert and
referral), the result page reads the stored assessment back.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from keneya.accounts.permissions import Capability, require_capability
from keneya.accounts.scope import persons_visible_to
from keneya.people.models import Person, VitalStatus
from keneya.visits import display, queries, services
from keneya.visits.forms import KIND_SLUGS, SLUG_FOR_KIND, VisitForm, available_kinds
from keneya.visits.models import Visit, VisitKind

KIND_HINTS: dict[str, Any] = {
    VisitKind.SICK_CHILD: _("Toux, diarrhée, fièvre, signes de danger"),
    VisitKind.CHILD_FOLLOWUP: _("Poids, taille, périmètre brachial"),
    VisitKind.PREGNANCY: _("Signes de danger, date des dernières règles"),
    VisitKind.POSTNATAL: _("Signes de danger de la mère ou du nouveau-né"),
}


def _get_person(request: HttpRequest, person_id: Any) -> Person:
    person = (persons_visible_to(request.user).select_related("household")
              .filter(pk=person_id, merged_into__isnull=True).first())
    if person is None:
        raise Http404
    return person


@require_capability(Capability.VISIT_RECORD)
def visit_new(request: HttpRequest, person_id: Any) -> HttpResponse:
    person = _get_person(request, person_id)
    alive = person.vital_status == VitalStatus.ALIVE
    kinds = available_kinds(person, timezone.localdate()) if alive else []
    return render(request, "visits/visit_new.html", {
        "person": person, "alive": alive,
        "kinds": [(SLUG_FOR_KIND[k], VisitKind(k).label, KIND_HINTS[k]) for k in kinds],
    })


@require_capability(Capability.VISIT_RECORD)
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest, person_id: Any, kind_slug: str) -> HttpResponse:
    person = _get_person(request, person_id)
    today = timezone.localdate()
    kind = KIND_SLUGS.get(kind_slug)
    if kind is None or kind not in available_kinds(person, today):
        raise Http404
    form = VisitForm(request.POST or None, person=person, kind=kind, today=today)
    if request.method == "POST" and form.is_valid():
        findings, measurements = form.visit_input()
        try:
            visit = services.record_home_visit(
                by=request.user, person=person, visit_date=form.cleaned_data["visit_date"],
                kind=kind, findings=findings, measurements=measurements,
                id=form.cleaned_data["id"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("visits:visit_result", visit_id=visit.pk)
    return render(request, "visits/visit_form.html", {
        "form": form, "person": person, "kind_label": VisitKind(kind).label,
    }, status=400 if form.errors else 200)


@require_capability(Capability.VISIT_RECORD)
def visit_result(request: HttpRequest, visit_id: Any) -> HttpResponse:
    try:
        visit = queries.visit_detail(user=request.user, visit_id=visit_id)
    except Visit.DoesNotExist:
        raise Http404 from None
    return render(request, "visits/visit_result.html", {
        "visit": visit, "result": display.present(visit.assessment, visit.kind),
        "referral": getattr(visit, "referral", None), "alerts": list(visit.alerts.all()),
    })
