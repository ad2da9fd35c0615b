"""The clinician's patient page (one timeline, the growth chart) and the consultation form.

Opening the patient page (as every read of a person's data) writes a ``RecordAccess`` row:
``records.access``. A clinician who opens a record outside their scope gets the "not in your
scope" page (404) with the break-glass form. The access log, the break-glass list, a person's
data export and anonymisation are here too (``records.access``, ``records.privacy``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keneya.accounts.permissions import Capability, has_capability, require_capability
from keneya.core.models import FacilityKind
from keneya.core.pdf import pdf_response, qr_svg
from keneya.people import privacy as people_privacy
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.people.templatetags.people_tags import hours
from keneya.records import access, charts, icd10, privacy, queries, services
from keneya.records.forms import ConsultationForm, DocumentForm, ProblemForm, ReasonForm
from keneya.records.hooks import patient_page, patient_sections
from keneya.records.models import (
    Anonymisation,
    Consultation,
    Diagnosis,
    Problem,
    ProblemStatus,
    RecordDocument,
)
from keneya.referrals import queries as referral_queries
from keneya.visits.models import Visit

ICD10_RESULTS = 12
ICD10_MIN_CHARS = 2


def _get_person(request: HttpRequest, person_id: Any) -> Person:
    person = (
        persons_visible_to(request.user)
        .select_related("household", "household__quartier", "household__chw")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise Http404
    return person


def _can_refer_to_csref(user: Any) -> bool:
    facility = getattr(user, "facility", None)
    return (
        has_capability(user, Capability.REFERRAL_MANAGE)
        and facility is not None
        and facility.kind == FacilityKind.CSCOM
        and facility.refers_to_id is not None
    )


def _out_of_scope(request: HttpRequest, person_id: Any, form: BreakGlassForm | None = None) -> HttpResponse:
    """404 for everyone; a clinician also gets the break-glass form (the same page whatever
    the id: it reveals nothing)."""
    if not access.may_break_glass(request.user):
        raise Http404
    return render(
        request,
        "records/out_of_scope.html",
        {"person_id": person_id, "form": form or BreakGlassForm(), "hours": access.break_glass_hours()},
        status=404,
    )


def _hooked(request: HttpRequest, person: Any) -> dict[str, Any]:
    """What the apps above add to the patient page and the consultation form (coverage)."""
    context: dict[str, Any] = {}
    for part in patient_page(request.user, person):
        context.update(part)
    return context


@require_capability(Capability.CLINICAL_VIEW)
def patient(request: HttpRequest, person_id: Any) -> HttpResponse:
    try:
        person = _get_person(request, person_id)
    except Http404:
        return _out_of_scope(request, person_id)
    record = queries.patient_record(person=person, user=request.user)
    summary = queries.patient_summary(request.user, person, record=record)
    can_consult = has_capability(request.user, Capability.CONSULTATION_RECORD)
    active_codes = {p["icd10_code"] for p in summary["problems"]}
    sections = sorted(
        (part for parts in patient_sections(request, person) for part in parts), key=lambda p: p[0]
    )
    return render(
        request,
        "records/patient.html",
        {
            "person": person,
            "record": record,
            "summary": summary,
            "timeline": record.timeline,
            "chart": charts.growth_chart(
                person=person,
                visits=record.visits,
                consultations=record.consultations,
                today=timezone.localdate(),
            ),
            "trends": charts.trend_chart(visits=record.visits, consultations=record.consultations),
            "active_codes": active_codes,
            "sections": [html for _order, html in sections],
            "problem_form": ProblemForm() if can_consult else None,
            "document_form": DocumentForm() if can_consult else None,
            "can_consult": can_consult,
            "can_refer": _can_refer_to_csref(request.user),
            "can_audit": access.may_audit(request.user),
            "can_handle_data": privacy.may_handle_person_data(request.user),
            **_hooked(request, person),
        },
    )


@require_capability(Capability.CONSULTATION_RECORD)
@require_http_methods(["GET", "POST"])
def consultation_create(request: HttpRequest, person_id: Any) -> HttpResponse:
    person = _get_person(request, person_id)
    form = ConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            consultation = services.record_consultation(
                by=request.user,
                person=person,
                complaint=c.get("complaint") or "",
                examination=c.get("examination") or "",
                treatment=c.get("treatment") or "",
                diagnoses=c.get("diagnoses") or [],
                follow_up_date=c.get("follow_up_date"),
                vitals=form.vitals(),
                add_to_problem_list=bool(c.get("add_to_problem_list")),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            text = _("Consultation enregistrée.")
            referral = consultation.referral
            if referral is not None and referral.time_to_care is not None:
                text += " " + _("Référence vue : délai de prise en charge %(delay)s.") % {
                    "delay": hours(referral.time_to_care)
                }
            messages.success(request, text)
            return redirect("records:patient", person_id=person.pk)
    codes = form["diagnoses"].value() or []
    selected = [e for e in (icd10.lookup(code) for code in codes) if e is not None]
    return render(
        request,
        "records/consultation_form.html",
        {
            "form": form,
            "person": person,
            "selected": selected,
            "pending": referral_queries.pending_referrals(user=request.user, person=person),
            **_hooked(request, person),
            "has_facility": getattr(request.user, "facility", None) is not None,
        },
        status=400 if form.errors else 200,
    )


@require_capability(Capability.CLINICAL_VIEW)
def icd10_search(request: HttpRequest) -> HttpResponse:
    """htmx: the ICD-10 codes matching what is typed (French words or a code)."""
    q = request.GET.get("q", "").strip()
    results = icd10.search(q, limit=ICD10_RESULTS) if len(q) >= ICD10_MIN_CHARS else []
    return render(request, "records/_icd10_results.html", {"results": results, "q": q})


# --- Access log, break the glass, a person's data --------------------------------------------------


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'accès"),
        max_length=access.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ex. : urgence au CSRef, patient venu d'une autre aire. Le motif est enregistré."),
    )


@require_capability(Capability.CLINICAL_VIEW)
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, person_id: Any) -> HttpResponse:
    """Open a record outside one's scope with a reason. Without a valid reason the answer stays
    the 404 page; with it, the grant is logged and the patient page opens."""
    if not access.may_break_glass(request.user):
        raise PermissionDenied
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = access.open_break_glass(
                by=request.user, person_id=person_id, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("reason", message)
        except Person.DoesNotExist:
            raise Http404 from None
        else:
            if grant is not None:
                messages.warning(
                    request,
                    _(
                        "Accès d'urgence ouvert jusqu'au %(until)s. "
                        "Il est enregistré et signalé au responsable."
                    )
                    % {"until": formats.date_format(timezone.localtime(grant.expires_at), "j F Y H:i")},
                )
            return redirect("records:patient", person_id=person_id)
    return _out_of_scope(request, person_id, form)


def _audit_person(request: HttpRequest, person_id: Any) -> Person:
    try:
        return access.audited_person(user=request.user, person_id=person_id)
    except Person.DoesNotExist:
        raise Http404 from None


@login_required
def access_log(request: HttpRequest, person_id: Any) -> HttpResponse:
    """Who read this person's data (facility manager, administrator)."""
    person = _audit_person(request, person_id)
    rows = Paginator(access.access_log(person=person), 50).get_page(request.GET.get("page"))
    return render(request, "records/access_log.html", {"person": person, "page": rows})


@login_required
def break_glass_list(request: HttpRequest) -> HttpResponse:
    """Break-glass accesses of the manager's facility and on persons of their scope."""
    grants = access.break_glass_grants(user=request.user)
    page = Paginator(grants, 50).get_page(request.GET.get("page"))
    return render(request, "records/break_glass_list.html", {"page": page, "now": timezone.now()})


def _privacy_person(request: HttpRequest, person_id: Any) -> Person:
    try:
        return privacy.person_for_privacy(user=request.user, person_id=person_id)
    except Person.DoesNotExist:
        raise Http404 from None


@login_required
def person_export(request: HttpRequest, person_id: Any) -> HttpResponse:
    """Everything Kènèya holds on a person, printable (administrator, on the person's request)."""
    person = _privacy_person(request, person_id)
    export = privacy.export_person_data(by=request.user, person=person)
    labels = {part.key: part.labels for part in people_privacy.parts()}
    sections = []
    for key, part in export["parts"].items():
        data, names = part["data"], labels.get(key, {})
        if isinstance(data, dict):
            rows = [[(names.get(k, k), _readable(v)) for k, v in data.items()]]
        else:
            rows = [[(names.get(k, k), _readable(v)) for k, v in row.items()] for row in data]
        sections.append({"key": key, "title": part["title"], "single": isinstance(data, dict), "rows": rows})
    return render(
        request, "records/person_export.html", {"person": person, "export": export, "sections": sections}
    )


def _readable(value: Any) -> Any:
    """A nested value (findings, history) as one line of text for the printable page."""
    if isinstance(value, dict):
        return " ; ".join(f"{k} : {_readable(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ; ".join(str(_readable(v)) for v in value)
    if value is True:
        return _("oui")
    if value is False:
        return _("non")
    return value


class AnonymiseForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (demande de la personne, date)"),
        max_length=access.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirmation = forms.CharField(
        label=_("Pour confirmer, tapez %(word)s") % {"word": privacy.CONFIRMATION_WORD}, max_length=20
    )

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"].strip()
        if value.upper() != privacy.CONFIRMATION_WORD:
            raise forms.ValidationError(
                _("Tapez %(word)s pour confirmer.") % {"word": privacy.CONFIRMATION_WORD}
            )
        return value


@login_required
@require_http_methods(["GET", "POST"])
def anonymise(request: HttpRequest, person_id: Any) -> HttpResponse:
    """Remove what identifies a person, at their request where the law allows (irreversible)."""
    person = _privacy_person(request, person_id)
    done = Anonymisation.objects.filter(person=person).select_related("by").first()
    form = AnonymiseForm(request.POST or None)
    if request.method == "POST" and done is None and form.is_valid():
        try:
            privacy.anonymise_person(
                by=request.user, person=person, reason=form.cleaned_data["reason"], confirm=True
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Données personnelles anonymisées."))
            return redirect("records:anonymise", person_id=person.pk)
    return render(
        request,
        "records/anonymise.html",
        {"person": person, "form": form, "done": done},
        status=400 if form.errors else 200,
    )


# --- Problem list, documents, the carnet -----------------------------------------------------------


def _back(person: Person, anchor: str = "") -> HttpResponse:
    response = redirect("records:patient", person_id=person.pk)
    response["Location"] += anchor
    return response


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_POST
@require_capability(Capability.CONSULTATION_RECORD)
def problem_add(request: HttpRequest, person_id: Any) -> HttpResponse:
    person = _get_person(request, person_id)
    form = ProblemForm(request.POST)
    if not form.is_valid():
        for message in [m for errors in form.errors.values() for m in errors]:
            messages.error(request, str(message))
        return _back(person, "#problemes")
    c = form.cleaned_data
    try:
        services.add_problem(
            by=request.user,
            person=person,
            icd10_code=c["code"],
            onset=c.get("onset"),
            status=c.get("status") or ProblemStatus.ACTIVE,
            note=c.get("note") or "",
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Problème ajouté à la liste."))
    return _back(person, "#problemes")


@require_POST
@require_capability(Capability.CONSULTATION_RECORD)
def problem_from_diagnosis(request: HttpRequest, person_id: Any, diagnosis_id: int) -> HttpResponse:
    """The one action: a consultation's diagnosis goes on the problem list."""
    person = _get_person(request, person_id)
    diagnosis = get_object_or_404(
        Diagnosis.objects.select_related("consultation__person"), pk=diagnosis_id, consultation__person=person
    )
    try:
        services.problem_from_diagnosis(by=request.user, diagnosis=diagnosis)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(
            request, _("%(label)s ajouté à la liste des problèmes.") % {"label": diagnosis.label}
        )
    return _back(person, "#problemes")


def _problem(person: Person, problem_id: Any) -> Problem:
    return get_object_or_404(Problem.objects.filter(person=person), pk=problem_id)


@require_POST
@require_capability(Capability.CONSULTATION_RECORD)
def problem_resolve(request: HttpRequest, person_id: Any, problem_id: Any) -> HttpResponse:
    person = _get_person(request, person_id)
    try:
        services.resolve_problem(by=request.user, problem=_problem(person, problem_id))
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Problème marqué résolu."))
    return _back(person, "#problemes")


@require_POST
@require_capability(Capability.CONSULTATION_RECORD)
def problem_void(request: HttpRequest, person_id: Any, problem_id: Any) -> HttpResponse:
    person = _get_person(request, person_id)
    problem = _problem(person, problem_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez le motif de l'annulation (5 caractères au moins)."))
        return _back(person, "#problemes")
    try:
        services.void_problem(by=request.user, problem=problem, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Problème annulé (il reste dans l'historique)."))
    return _back(person, "#problemes")


@require_POST
@require_capability(Capability.CONSULTATION_RECORD)
def document_upload(request: HttpRequest, person_id: Any) -> HttpResponse:
    person = _get_person(request, person_id)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for message in [m for errors in form.errors.values() for m in errors]:
            messages.error(request, str(message))
        return _back(person, "#documents")
    c = form.cleaned_data
    try:
        services.attach_record_document(
            by=request.user,
            person=person,
            upload=c["file"],
            kind=c["kind"],
            title=c["title"],
            document_date=c.get("document_date"),
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Document joint au dossier."))
    return _back(person, "#documents")


@require_POST
@require_capability(Capability.CONSULTATION_RECORD)
def document_void(request: HttpRequest, person_id: Any, document_id: Any) -> HttpResponse:
    person = _get_person(request, person_id)
    document = get_object_or_404(
        RecordDocument.objects.filter(person=person, voided_at__isnull=True), pk=document_id
    )
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez le motif du retrait (5 caractères au moins)."))
        return _back(person, "#documents")
    try:
        services.void_record_document(by=request.user, document=document, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Document retiré du dossier (il reste dans l'historique)."))
    return _back(person, "#documents")


@require_capability(Capability.CLINICAL_VIEW)
def document_file(request: HttpRequest, person_id: Any, document_id: Any) -> FileResponse:
    """The scan (``?mini=1``: its thumbnail), streamed through the storage to whoever sees the
    person (never a public media URL); the access log records the read (``access``)."""
    person = _get_person(request, person_id)
    document = get_object_or_404(RecordDocument.objects.filter(person=person), pk=document_id)
    mini = request.GET.get("mini") == "1" and bool(document.thumbnail)
    stored = document.thumbnail if mini else document.file
    content_type = "image/jpeg" if mini else document.content_type
    extension = {"application/pdf": ".pdf", "image/png": ".png", "image/webp": ".webp"}.get(
        content_type, ".jpg"
    )
    response = FileResponse(
        stored.open("rb"),
        content_type=content_type,
        as_attachment=request.GET.get("telecharger") == "1",
        filename=f"{document.kind}-{document.pk}{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


@require_capability(Capability.CLINICAL_VIEW)
def carnet(request: HttpRequest, person_id: Any) -> HttpResponse:
    """The printed carnet de santé: identity, coverage, problems, allergies, current treatment,
    vaccinations, the growth chart of a child, the last visits and lab results (A4, French)."""
    person = _get_person(request, person_id)
    today = timezone.localdate()
    summary = queries.patient_summary(request.user, person, today=today)
    growth = charts.growth_svg(
        person=person,
        visits=Visit.objects.filter(person=person),
        consultations=Consultation.objects.filter(person=person),
        today=today,
    )
    return pdf_response(
        "records/carnet.html",
        {
            "person": person,
            "summary": summary,
            "vaccinations": queries.vaccinations(person),
            "visits": queries.recent_visits(person),
            "growth": growth,
            "today": today,
            "printed_by": request.user,
            "qr": qr_svg(f"KENEYA:{person.pk}", scale=2),
        },
        request,
        filename=f"carnet-{person.family_name}-{today:%Y%m%d}.pdf".replace(" ", "-"),
    )
