"""The social worker's pages: dossiers late first, a dossier with its documents and steps, the
printed papers (letter to the mayor, checklist with QR code), and the programme's counts."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from keneya.accounts.permissions import Capability, has_capability, require_capability
from keneya.core.pdf import pdf_response, qr_svg
from keneya.people.scope import households_visible_to
from keneya.social_protection import queries, services
from keneya.social_protection.forms import (
    AppointmentForm,
    ContributionForm,
    DocumentForm,
    DocumentUploadForm,
    OpenDossierForm,
    TransitionForm,
    VoidContributionForm,
)
from keneya.social_protection.models import Appointment, DocumentFile, DocumentStatus, Dossier, Scheme
from keneya.social_rules import schemes


def _dossier(request: HttpRequest, dossier_id: Any) -> Dossier:
    return get_object_or_404(
        queries.dossiers_visible_to(request.user).select_related("household", "household__quartier"),
        pk=dossier_id,
    )


# The list page shows this many dossiers a page, the most late first (the counts cover them all).
DOSSIERS_LISTED = 50
# and this many cards to renew, the soonest expiry first (the heading counts them all).
RENEWALS_LISTED = 20


def _page_number(raw: str) -> int:
    """``?page=`` as a page number from 1 (anything else: the first page)."""
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


@require_capability(Capability.SOCIAL_CASEWORK)
def dossier_list(request: HttpRequest) -> HttpResponse:
    scheme = request.GET.get("regime", "")
    scheme = scheme if scheme in Scheme.values else ""
    number = _page_number(request.GET.get("page", ""))
    listed = queries.dossier_page(
        request.user, scheme=scheme, limit=DOSSIERS_LISTED, offset=(number - 1) * DOSSIERS_LISTED
    )
    pages = max(1, -(-listed.total // DOSSIERS_LISTED))
    query = f"regime={scheme}&" if scheme else ""
    return render(
        request,
        "social_protection/dossier_list.html",
        {
            "rows": listed.rows,
            "page_number": number,
            "pages": pages,
            "previous_url": f"?{query}page={number - 1}" if number > 1 else "",
            "next_url": f"?{query}page={number + 1}" if number < pages else "",
            "total": listed.total,
            "late": listed.late,
            "scheme": scheme,
            "schemes": Scheme.choices,
            "renewals": queries.renewals_for(request.user, limit=RENEWALS_LISTED),
            "renewals_total": queries.renewals_count(request.user),
            "to_validate": [
                {"screening": s, "band_label": queries.band_label(s)}
                for s in queries.screenings_to_validate(request.user)
            ],
            "to_open": [
                {"screening": s, "band_label": queries.band_label(s)}
                for s in queries.screenings_without_dossier(request.user)
            ],
        },
    )


@require_POST
@require_capability(Capability.SOCIAL_CASEWORK)
def screening_validate(request: HttpRequest, screening_id: Any) -> HttpResponse:
    """Maker-checker on the web: the social worker validates a CHW's screening of the area
    (another area's screening is a 404)."""
    screening = get_object_or_404(queries.screenings_visible_to(request.user), pk=screening_id)
    try:
        services.validate_screening(by=request.user, screening=screening)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Dépistage validé : vous pouvez ouvrir un dossier pour ce ménage."))
    return redirect(f"{reverse('social_protection:dossier_list')}#a-ouvrir")


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
    files: dict[Any, list[DocumentFile]] = {}
    for stored in DocumentFile.objects.filter(document__dossier=dossier).order_by("uploaded_at"):
        files.setdefault(stored.document_id, []).append(stored)
    rows = []
    for document in documents:
        substitutes = [
            (s, schemes.document_label(s))
            for s in schemes.allowed_substitutes(
                dossier.scheme, roles.get(document.person_id, ""), document.kind
            )
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
        rows.append(
            {
                "document": document,
                "label": schemes.document_label(document.kind),
                "substitute_label": schemes.document_label(document.substitute)
                if document.substitute
                else "",
                "form": form,
                "files": files.get(document.pk, []),
            }
        )
    due = schemes.due_date(dossier.scheme, dossier.status, dossier.status_since)
    today = timezone.localdate()
    return render(
        request,
        "social_protection/dossier_detail.html",
        {
            "dossier": dossier,
            "scheme": schemes.scheme(dossier.scheme),
            "status_label": queries.status_label(dossier.scheme, dossier.status),
            "due": due,
            "late_days": (today - due).days if due and today > due else 0,
            "documents": rows,
            "steps": _steps(dossier),
            "events": _timeline(dossier),
            "coverage": queries.coverage_text(queries.coverage_for(dossier.household.head, on=today))
            if dossier.household.head
            else [],
            "appointments": dossier.appointments.order_by("done_on", "on"),
            "appointment_form": AppointmentForm(),
            "upload_form": DocumentUploadForm(),
            "has_missing": any(d.status not in schemes.SUPPLIED for d in documents),
            "renewal_due_on": schemes.renewal_due_on(dossier.scheme, dossier.valid_until),
            "card_expired": bool(dossier.valid_until and today > dossier.valid_until),
            **_contributions_context(dossier, today),
        },
    )


EVENT_LABELS = {
    "opened": _lazy("Dossier ouvert"),
    "transition": _lazy("Étape"),
    "document": _lazy("Pièce"),
    "file": _lazy("Fichier joint"),
    "payment": _lazy("Paiement"),
    "payment_voided": _lazy("Paiement annulé"),
    "appointment": _lazy("Rendez-vous fixé"),
    "appointment_done": _lazy("Rendez-vous fait"),
    "sms_documents": _lazy("SMS de rappel des pièces"),
}
DOCUMENT_STATUS_LABELS = dict(DocumentStatus.choices)


def _timeline(dossier: Dossier) -> list[dict[str, Any]]:
    """The dossier's events in French: "Étape · Demande déposée à la mairie", "Pièce · Acte de
    naissance : vérifiée (remplacée par Jugement supplétif)"."""
    rows = []
    for event in dossier.events.select_related("by").order_by("at", "id"):
        data = event.data or {}
        detail = ""
        if event.kind == "transition" and data.get("to"):
            detail = queries.status_label(dossier.scheme, data["to"])
        elif event.kind == "document" and data.get("kind"):
            status = DOCUMENT_STATUS_LABELS.get(str(data.get("status", "")), "")
            detail = f"{schemes.document_label(data['kind'])} : {status}"
            if data.get("substitute"):
                detail += f" ({_('remplacée par')} {schemes.document_label(data['substitute'])})"
        elif event.kind == "opened" and data.get("status"):
            detail = queries.status_label(dossier.scheme, data["status"])
        rows.append({"event": event, "label": EVENT_LABELS.get(event.kind, event.kind), "detail": detail})
    return rows


def _contributions_context(dossier: Dossier, today: Any) -> dict[str, Any]:
    if dossier.scheme != Scheme.MUTUELLE:
        return {}
    state = queries.contributions_state(dossier, today)
    payments = list(dossier.payments.order_by("-paid_on", "-recorded_at"))
    voided = {p.voids_id for p in payments if p.voids_id}
    return {
        "contributions": state,
        # The current month is not late yet (as the coverage reads it).
        "months_late": max(state["months_due"] - 1, 0),
        "payments": [{"payment": p, "voided": p.pk in voided} for p in payments],
        "contribution_form": ContributionForm(initial={"paid_on": today}),
        "void_form": VoidContributionForm(),
    }


def _back(dossier: Dossier) -> HttpResponse:
    return redirect("social_protection:dossier_detail", dossier.pk)


def _error(request: HttpRequest, error: ValidationError | services.Conflict) -> None:
    if isinstance(error, services.Conflict):
        messages.error(request, error.detail)
    else:
        messages.error(request, " ".join(error.messages))


@require_POST
@require_capability(Capability.SOCIAL_CASEWORK)
def appointment_create(request: HttpRequest, dossier_id: Any) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    form = AppointmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Rendez-vous non enregistré : vérifiez le type et la date."))
        return _back(dossier)
    try:
        services.schedule_appointment(by=request.user, dossier=dossier, **form.cleaned_data)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Rendez-vous enregistré : il apparaît dans les tâches du relais."))
    return _back(dossier)


@require_POST
@login_required
def appointment_done(request: HttpRequest, appointment_id: Any) -> HttpResponse:
    """The "Fait" button: the CHW of the household (person page, from the task) or the social
    worker; another household's appointment is a 404."""
    if not (
        has_capability(request.user, Capability.SOCIAL_SCREEN)
        or has_capability(request.user, Capability.SOCIAL_CASEWORK)
    ):
        raise PermissionDenied
    appointment = get_object_or_404(
        Appointment.objects.select_related("dossier", "dossier__household"), pk=appointment_id
    )
    try:
        services.mark_appointment_done(by=request.user, appointment=appointment)
    except PermissionDenied:
        raise Http404 from None  # another household's appointment: as if it did not exist
    messages.success(request, _("Rendez-vous marqué comme fait."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    if has_capability(request.user, Capability.SOCIAL_CASEWORK):
        return _back(appointment.dossier)
    return redirect("tasks")


@require_POST
@require_capability(Capability.SOCIAL_CASEWORK)
def remind_documents(request: HttpRequest, dossier_id: Any) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    message = services.remind_missing_documents(by=request.user, dossier=dossier)
    if message is None:
        messages.error(request, _("Aucun SMS : pas de pièce manquante ou pas de téléphone pour le ménage."))
    else:
        messages.success(request, _("SMS de rappel des pièces mis en file d'envoi."))
    return _back(dossier)


@require_POST
@require_capability(Capability.SOCIAL_CASEWORK)
def document_upload(request: HttpRequest, dossier_id: Any, document_id: Any) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    document = get_object_or_404(dossier.documents.all(), pk=document_id)
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choisissez un fichier (image ou PDF)."))
        return _back(dossier)
    try:
        services.attach_document_file(by=request.user, document=document, upload=form.cleaned_data["file"])
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Fichier joint à la pièce."))
    return _back(dossier)


@require_capability(Capability.SOCIAL_CASEWORK)
def document_file(request: HttpRequest, dossier_id: Any, file_id: Any) -> FileResponse:
    """The scan, streamed through the storage to whoever may see the dossier (never a public
    media URL); the access log records the read (apps.py)."""
    dossier = _dossier(request, dossier_id)
    stored = get_object_or_404(DocumentFile.objects.filter(document__dossier=dossier), pk=file_id)
    extension = {"application/pdf": ".pdf", "image/png": ".png", "image/webp": ".webp"}.get(
        stored.content_type, ".jpg"
    )
    response = FileResponse(
        stored.file.open("rb"),
        content_type=stored.content_type,
        as_attachment=stored.content_type == "application/pdf" and request.GET.get("telecharger") == "1",
        filename=f"{dossier.reference}-{stored.document.kind}{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


@require_POST
@require_capability(Capability.SOCIAL_CASEWORK)
def contribution_create(request: HttpRequest, dossier_id: Any) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    form = ContributionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Paiement non enregistré : vérifiez le montant et la date."))
        return _back(dossier)
    data = form.cleaned_data
    try:
        services.record_contribution(
            by=request.user,
            id=uuid.uuid4(),
            dossier=dossier,
            kind=data["kind"],
            amount_xof=data["amount_xof"],
            paid_on=data["paid_on"],
            months=data.get("months") or 0,
        )
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Paiement enregistré."))
    return _back(dossier)


@require_POST
@require_capability(Capability.SOCIAL_CASEWORK)
def contribution_void(request: HttpRequest, dossier_id: Any, payment_id: Any) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    payment = get_object_or_404(dossier.payments.all(), pk=payment_id)
    form = VoidContributionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez pourquoi le paiement est annulé."))
        return _back(dossier)
    try:
        services.void_contribution(by=request.user, payment=payment, reason=form.cleaned_data["reason"])
    except (ValidationError, services.Conflict) as error:
        _error(request, error)
    else:
        messages.success(request, _("Paiement annulé."))
    return _back(dossier)


@require_POST
@require_capability(Capability.SOCIAL_CASEWORK)
def document_update(request: HttpRequest, dossier_id: Any, document_id: Any) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    document = get_object_or_404(dossier.documents.all(), pk=document_id)
    role = dossier.members.get(person=document.person).role
    substitutes = [(s, s) for s in schemes.allowed_substitutes(dossier.scheme, role, document.kind)]
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
    renewal_of = None
    if renewal_id := _uuid_or_none(request.GET.get("renouvellement", "")):
        # Only a card of this household the social worker may see; anything else is ignored.
        renewal_of = (
            queries.dossiers_visible_to(request.user)
            .filter(household=household, pk=renewal_id, status="card_issued")
            .first()
        )
    initial = {}
    if renewal_of is not None:
        initial = {
            "scheme": renewal_of.scheme,
            "members": [str(pk) for pk in renewal_of.members.values_list("person_id", flat=True)],
        }
    form = OpenDossierForm(request.POST or None, persons=persons, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = [p for p in persons if str(p.pk) in form.cleaned_data["members"]]
        try:
            dossier, _created = services.open_dossier(
                by=request.user,
                id=uuid.uuid4(),
                household=household,
                scheme=form.cleaned_data["scheme"],
                members=chosen,
                renewal_of=renewal_of,
            )
        except services.Conflict as error:
            form.add_error("scheme", error.detail)
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            return redirect("social_protection:dossier_detail", dossier.pk)
    return render(
        request,
        "social_protection/dossier_open.html",
        {"household": household, "form": form, "renewal_of": renewal_of},
    )


def _uuid_or_none(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


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


def _paper(request: HttpRequest, dossier_id: Any, template: str, stem: str) -> HttpResponse:
    """A printed paper of the dossier (PDF, French): ``template`` filled for its household."""
    dossier = _dossier(request, dossier_id)
    return pdf_response(
        f"social_protection/{template}",
        _paper_context(dossier),
        request,
        filename=f"{stem}-{dossier.reference}.pdf",
    )


@require_capability(Capability.SOCIAL_CASEWORK)
def letter_to_mayor(request: HttpRequest, dossier_id: Any) -> HttpResponse:
    return _paper(request, dossier_id, "letter_to_mayor.html", "demande-certificat-indigence")


@require_capability(Capability.SOCIAL_CASEWORK)
def checklist(request: HttpRequest, dossier_id: Any) -> HttpResponse:
    return _paper(request, dossier_id, "checklist.html", "pieces-a-fournir")


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
