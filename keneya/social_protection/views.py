"""The social worker's pages: dossiers late first, a dossier with its documents and steps, the
printed papers (letter to the mayor, checklist with QR code), and the programme's counts."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keneya.accounts.permissions import Capability, has_capability, require_capability
from keneya.core.pdf import pdf_response, qr_svg
from keneya.people.scope import households_visible_to
from keneya.social_protection import queries, services
from keneya.social_protection.forms import DocumentForm, OpenDossierForm, TransitionForm
from keneya.social_protection.models import Dossier, Scheme
from keneya.social_rules import schemes


def _dossier(request: HttpRequest, dossier_id: Any) -> Dossier:
    return get_object_or_404(
        queries.dossiers_visible_to(request.user).select_related("household", "household__quartier"),
        pk=dossier_id,
    )


@require_capability(Capability.SOCIAL_CASEWORK)
def dossier_list(request: HttpRequest) -> HttpResponse:
    scheme = request.GET.get("regime", "")
    scheme = scheme if scheme in Scheme.values else ""
    rows = queries.dossier_rows(request.user, scheme=scheme)
    return render(
        request,
        "social_protection/dossier_list.html",
        {
            "rows": rows[:200],
            "total": len(rows),
            "late": sum(1 for r in rows if r.days_late),
            "scheme": scheme,
            "schemes": Scheme.choices,
        },
    )


def _steps(dossier: Dossier) -> list[dict[str, Any]]:
    info = schemes.scheme(dossier.scheme)
    return [
        {
            "code": code,
            "label": schemes.status_info(dossier.scheme, code)["label_fr"],
            "card": code == info["card_required_to"],
        }
        for code in schemes.allowed_transitions(dossier.scheme, dossier.status)
    ]


@require_capability(Capability.SOCIAL_CASEWORK)
def dossier_detail(request: HttpRequest, dossier_id: Any) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    documents = list(dossier.documents.select_related("person").order_by("person__given_names", "kind"))
    roles = {m.person_id: m.role for m in dossier.members.all()}
    rows = []
    for document in documents:
        substitutes = [
            (s, schemes.document_label(s))
            for required in schemes.required_documents(dossier.scheme, roles.get(document.person_id, ""))
            if required["kind"] == document.kind
            for s in required["substitutes"]
        ]
        form = DocumentForm(
            prefix=str(document.pk),
            substitutes=substitutes,
            initial={
                "status": document.status,
                "issued_on": document.issued_on,
                "expires_on": document.expires_on,
                "substitute": document.substitute,
                "unavailable_reason": document.unavailable_reason,
            },
        )
        rows.append({"document": document, "label": schemes.document_label(document.kind), "form": form})
    due = schemes.due_date(dossier.scheme, dossier.status, dossier.status_since)
    today = timezone.localdate()
    return render(
        request,
        "social_protection/dossier_detail.html",
        {
            "dossier": dossier,
            "scheme": schemes.scheme(dossier.scheme),
            "status_label": schemes.status_info(dossier.scheme, dossier.status)["label_fr"],
            "due": due,
            "late_days": (today - due).days if due and today > due else 0,
            "documents": rows,
            "steps": _steps(dossier),
            "events": dossier.events.select_related("by"),
            "coverage": queries.coverage_for(dossier.household.head, on=today)
            if dossier.household.head
            else [],
        },
    )


@require_POST
@require_capability(Capability.SOCIAL_CASEWORK)
def document_update(request: HttpRequest, dossier_id: Any, document_id: Any) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    document = get_object_or_404(dossier.documents.all(), pk=document_id)
    role = dossier.members.get(person=document.person).role
    substitutes = [
        (s, s)
        for r in schemes.required_documents(dossier.scheme, role)
        if r["kind"] == document.kind
        for s in r["substitutes"]
    ]
    form = DocumentForm(request.POST, prefix=str(document.pk), substitutes=substitutes)
    if not form.is_valid():
        messages.error(request, _("Pièce non enregistrée : vérifiez les champs."))
        return redirect("social_protection:dossier_detail", dossier.pk)
    try:
        services.update_document(by=request.user, document=document, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except services.Conflict as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Pièce mise à jour."))
    return redirect("social_protection:dossier_detail", dossier.pk)


@require_POST
@require_capability(Capability.SOCIAL_CASEWORK)
def dossier_transition(request: HttpRequest, dossier_id: Any) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Étape non enregistrée : vérifiez les dates."))
        return redirect("social_protection:dossier_detail", dossier.pk)
    data = dict(form.cleaned_data)
    target = data.pop("to")
    try:
        services.transition_dossier(by=request.user, dossier=dossier, to=target, data=data)
    except services.Conflict as error:
        messages.error(request, error.detail)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Étape enregistrée."))
    return redirect("social_protection:dossier_detail", dossier.pk)


@require_capability(Capability.SOCIAL_CASEWORK)
def dossier_open(request: HttpRequest, household_id: Any) -> HttpResponse:
    household = get_object_or_404(households_visible_to(request.user), pk=household_id)
    persons = list(household.members.filter(merged_into__isnull=True).order_by("date_of_birth"))
    form = OpenDossierForm(request.POST or None, persons=persons)
    if request.method == "POST" and form.is_valid():
        chosen = [p for p in persons if str(p.pk) in form.cleaned_data["members"]]
        try:
            dossier, _created = services.open_dossier(
                by=request.user,
                id=uuid.uuid4(),
                household=household,
                scheme=form.cleaned_data["scheme"],
                members=chosen,
            )
        except services.Conflict as error:
            form.add_error("scheme", error.detail)
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            return redirect("social_protection:dossier_detail", dossier.pk)
    return render(request, "social_protection/dossier_open.html", {"household": household, "form": form})


def _paper_context(dossier: Dossier) -> dict[str, Any]:
    head = dossier.household.head
    missing = queries.missing_documents(dossier)
    by_person: dict[str, list[str]] = {}
    for document in missing:
        name = f"{document.person.given_names} {document.person.family_name}"
        by_person.setdefault(name, []).append(schemes.document_label(document.kind))
    return {
        "dossier": dossier,
        "head": head,
        "household": dossier.household,
        "today": timezone.localdate(),
        "missing_by_person": by_person,
        "qr": qr_svg(dossier.reference),
        "scheme": schemes.scheme(dossier.scheme),
    }


@require_capability(Capability.SOCIAL_CASEWORK)
def letter_to_mayor(request: HttpRequest, dossier_id: Any) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    return pdf_response(
        "social_protection/letter_to_mayor.html",
        _paper_context(dossier),
        request,
        filename=f"demande-certificat-indigence-{dossier.reference}.pdf",
    )


@require_capability(Capability.SOCIAL_CASEWORK)
def checklist(request: HttpRequest, dossier_id: Any) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    return pdf_response(
        "social_protection/checklist.html",
        _paper_context(dossier),
        request,
        filename=f"pieces-a-fournir-{dossier.reference}.pdf",
    )


def _may_see_counts(user: Any) -> bool:
    return has_capability(user, Capability.SOCIAL_CASEWORK) or has_capability(
        user, Capability.AGGREGATES_VIEW
    )


@login_required
def programme(request: HttpRequest) -> HttpResponse:
    if not _may_see_counts(request.user):
        raise PermissionDenied
    counts = queries.programme_counts(request.user)
    return render(
        request, "social_protection/programme.html", {"counts": counts, "labels": dict(Scheme.choices)}
    )
