"""The lab's part of the shared record, through the hooks ``records`` owns (``records.hooks``):
the summary's ``recent_lab_results``, the patient page's section (requests, results with their
flags, the Hb and glycaemia trend, "Demander un examen"), and the timeline's lab entries."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from keneya.accounts.permissions import Capability, has_capability
from keneya.clinical import lab as catalogue
from keneya.lab import queries
from keneya.lab.models import LabOrder

SECTION_ORDER = 40  # after the problems, allergies and prescriptions; before documents


def summary_part(user: Any, person: Any) -> dict[str, Any]:
    """``records.hooks.summary_parts``: the last results, each with a French label and flags."""
    if not _may_read(user):
        return {}
    return {"recent_lab_results": [r.as_json() for r in queries.recent_results(user=user, person=person)]}


def _may_read(user: Any) -> bool:
    return has_capability(user, Capability.CLINICAL_VIEW) or has_capability(user, Capability.LAB_RESULT)


def order_lines(order: LabOrder) -> list[dict[str, Any]]:
    """Each requested test of an order with its current result and its voided ones (history)."""
    results: dict[str, list[Any]] = {}
    for r in order.results.all():
        results.setdefault(r.test, []).append(r)
    lines = []
    for t in order.tests.all():
        test = catalogue.TESTS.get(t.test)
        if test is None:
            continue
        all_results = results.get(t.test, [])
        current = next((r for r in all_results if r.voided_at is None), None)
        lines.append(
            {
                "code": t.test,
                "test": test,
                "added_by_algorithm": t.added_by_algorithm,
                "current": current,
                "current_label": catalogue.value_label(test, current.value) if current else "",
                "voided": [(r, catalogue.value_label(test, r.value)) for r in all_results if r.voided_at],
            }
        )
    return lines


def patient_section(request: HttpRequest, person: Any) -> list[tuple[int, SafeString]]:
    """``records.hooks.patient_sections``: the lab section of the patient page."""
    user = request.user
    if not _may_read(user):
        return []
    orders = queries.orders_for_person(user=user, person=person, limit=10)
    html = render_to_string(
        "lab/_patient_section.html",
        {
            "person": person,
            "orders": [(o, order_lines(o)) for o in orders],
            "trends": {"charts": queries.trends(user=user, person=person)},
            "can_order": has_capability(user, Capability.LAB_ORDER),
        },
        request=request,
    )
    return [(SECTION_ORDER, SafeString(html))]


def timeline_entries(user: Any, person: Any) -> list[dict[str, Any]]:
    """``records.hooks.patient_timeline``: one entry per request, at the facility that made it."""
    if not _may_read(user):
        return []
    entries = []
    url = reverse("lab:person_results", args=[person.pk])
    for order in queries.orders_for_person(user=user, person=person):
        lines = order_lines(order)
        names = ", ".join(line["test"].short_fr for line in lines)
        done = [f"{line['test'].short_fr} {line['current_label']}" for line in lines if line["current"]]
        flagged = [line for line in lines if line["current"] and line["current"].abnormal]
        entries.append(
            {
                "at": order.requested_at,
                "kind": "lab_order",
                "title": f"Examens de laboratoire : {names}",
                "facility": order.facility.name,
                "url": url,
                "detail": " · ".join(done) if done else "En attente du laboratoire",
                "abnormal": bool(flagged),
                "critical": any(line["current"].critical for line in flagged),
            }
        )
    return entries


def home_tile(user: Any) -> dict[str, Any]:
    """``accounts.views.home_page``: the laboratory's tile with its number of pending requests."""
    if not has_capability(user, Capability.LAB_RESULT) or user.role == "admin":
        return {}
    count = queries.lab_orders_visible_to(user).filter(status="pending").count()
    return {"can_lab": True, "lab_pending_count": count}
