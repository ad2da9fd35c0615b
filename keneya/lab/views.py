"""Laboratory pages: the pending list and result entry (laboratory technician), the request
form (clinician, from the patient page) and a person's results with their trend.

Thin: parse, check the capability, call a service or a query, render. A request or a person
outside the user's scope is a 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from keneya.accounts.permissions import Capability, has_capability, require_capability
from keneya.clinical import lab as catalogue
from keneya.lab import queries, services
from keneya.lab.models import LabOrder
from keneya.lab.record import order_lines
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.records.models import Consultation

# The request form's groups (the catalogue's codes), in the order a clinician looks for them.
TEST_GROUPS = (
    (gettext_lazy("Sang"), ("hb", "glycemia", "glycemia_fasting")),
    (gettext_lazy("Paludisme"), ("malaria_rdt", "malaria_smear")),
    (gettext_lazy("Dépistages"), ("hiv_rdt1", "syphilis_rdt", "pregnancy")),
    (gettext_lazy("Urines et selles"), ("urine_protein", "urine_glucose", "stool")),
    (gettext_lazy("Tuberculose"), ("tb_smear", "tb_xpert")),
)


def _order(request: HttpRequest, order_id: Any) -> LabOrder:
    try:
        return queries.order_detail(user=request.user, order_id=order_id)
    except LabOrder.DoesNotExist:
        raise Http404 from None


def _person(request: HttpRequest, person_id: Any) -> Person:
    person = persons_visible_to(request.user).select_related("household").filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


@require_capability(Capability.LAB_RESULT)
def pending(request: HttpRequest) -> HttpResponse:
    orders = queries.pending_orders(user=request.user)
    return render(
        request,
        "lab/pending.html",
        {"rows": [(o, order_lines(o)) for o in orders], "facility": getattr(request.user, "facility", None)},
    )


def _entry_lines(order: LabOrder, posted: dict[str, str] | None = None) -> list[dict[str, Any]]:
    lines = order_lines(order)
    for line in lines:
        line["field"] = f"r_{line['code']}"
        line["typed"] = (posted or {}).get(line["field"], "")
    return lines


@require_capability(Capability.LAB_RESULT)
@require_http_methods(["GET", "POST"])
def order(request: HttpRequest, order_id: Any) -> HttpResponse:
    """Result entry: one field per test still without a result; each current result with its
    interpretation and a correction form; voided values stay listed, struck through."""
    lab_order = _order(request, order_id)
    errors: list[str] = []
    posted = None
    if request.method == "POST":
        posted = {k: request.POST.get(k, "") for k in request.POST if k.startswith("r_")}
        lines = [(k[2:], v) for k, v in posted.items() if v.strip()]
        try:
            stored = services.record_results(by=request.user, order=lab_order, results=lines)
        except ValidationError as exc:
            errors = [m for messages_ in exc.message_dict.values() for m in messages_]
        except PermissionDenied:
            raise Http404 from None
        else:
            critical = [r for r in stored if r.critical]
            if critical:
                messages.warning(
                    request, _("Résultat critique : une alerte urgente est envoyée au centre demandeur.")
                )
            messages.success(request, _("Résultats enregistrés."))
            return redirect("lab:order", order_id=lab_order.pk)
    return render(
        request,
        "lab/order.html",
        {
            "order": lab_order,
            "lines": _entry_lines(lab_order, posted),
            "errors": errors,
            "can_enter": lab_order.facility_id == getattr(request.user, "facility_id", None)
            or request.user.role == "admin",  # type: ignore[union-attr]
        },
        status=400 if errors else 200,
    )


@require_capability(Capability.LAB_RESULT)
@require_POST
def result_correct(request: HttpRequest, result_id: Any) -> HttpResponse:
    result = queries.lab_results_visible_to(request.user).filter(pk=result_id).first()
    if result is None:
        raise Http404
    try:
        services.correct_result(
            by=request.user,
            result=result,
            value=request.POST.get("value", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        for field_messages in exc.message_dict.values():
            for message in field_messages:
                messages.error(request, message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Résultat corrigé ; l'ancienne valeur reste visible dans l'historique."))
    return redirect("lab:order", order_id=result.order_id)


@require_capability(Capability.LAB_ORDER)
@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest, person_id: Any) -> HttpResponse:
    """The clinician's request form (from the patient page, or a consultation: ?consultation=)."""
    person = _person(request, person_id)
    consultation_id = request.POST.get("consultation") or request.GET.get("consultation") or ""
    consultation = None
    if consultation_id:
        try:
            consultation = Consultation.objects.filter(pk=consultation_id, person=person).first()
        except ValidationError:
            consultation = None
    errors: dict[str, list[str]] = {}
    chosen = request.POST.getlist("tests")
    if request.method == "POST":
        try:
            order_id = uuid.UUID(request.POST.get("id", ""))
        except ValueError:
            order_id = uuid.uuid4()
        try:
            lab_order, _created = services.request_tests(
                by=request.user,
                id=order_id,
                person=person,
                tests=chosen,
                consultation=consultation,
                pregnant=request.POST.get("pregnant") == "on",
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request, _("Demande envoyée au laboratoire de %(lab)s.") % {"lab": lab_order.facility}
            )
            return redirect("lab:person_results", person_id=person.pk)
    groups = [
        (title, [catalogue.get(code) for code in codes if code in catalogue.TESTS])
        for title, codes in TEST_GROUPS
    ]
    return render(
        request,
        "lab/order_form.html",
        {
            "person": person,
            "groups": groups,
            "chosen": set(chosen),
            "errors": errors,
            "client_id": request.POST.get("id") or uuid.uuid4(),
            "consultation": consultation,
            "note": request.POST.get("note", ""),
            "pregnant": request.POST.get("pregnant") == "on",
        },
        status=400 if errors else 200,
    )


@require_capability(Capability.CLINICAL_VIEW)
def person_results(request: HttpRequest, person_id: Any) -> HttpResponse:
    """A person's requests and results (history of corrections included) and the trend."""
    person = _person(request, person_id)
    orders = queries.orders_for_person(user=request.user, person=person)
    return render(
        request,
        "lab/person_results.html",
        {
            "person": person,
            "orders": [(o, order_lines(o)) for o in orders],
            "trends": {"charts": queries.trends(user=request.user, person=person)},
            "can_order": has_capability(request.user, Capability.LAB_ORDER),
        },
    )
