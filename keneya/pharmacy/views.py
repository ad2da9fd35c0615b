"""Pharmacy pages: the prescribing form (warnings shown before saving, the override reason asked
for an allergy), the prescription page with its one-click ordonnance PDF and the stop of a
medicine, a person's allergies (record, "no known allergy", correct, void), and the section this
app adds to the patient page (``records.hooks.patient_sections``)."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from keneya.accounts.permissions import Capability, has_capability, require_capability
from keneya.clinical import medicines
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.pharmacy import printing, queries, services
from keneya.pharmacy.models import Allergy, AllergyKind, AllergyStatus, Prescription, Severity
from keneya.records.models import Consultation
from keneya.records.queries import consultations_visible_to

FORM_ROWS = 5
ITEM_FIELDS = ("medicine", "dose", "frequency", "duration_days", "quantity", "instructions")


def _person(request: HttpRequest, person_id: Any) -> Person:
    person = persons_visible_to(request.user).select_related("household").filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


def _prescription(request: HttpRequest, prescription_id: Any) -> Prescription:
    prescription = (
        queries.prescriptions_visible_to(request.user)
        .prefetch_related("items")
        .filter(pk=prescription_id)
        .first()
    )
    if prescription is None:
        raise Http404
    return prescription


def medicine_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    everything = medicines.all_medicines()
    return [
        ("Génériques (DCI)", [(m.code, m.label) for m in everything if m.generic]),
        ("Marques (ramenées à leur DCI)", [(m.code, m.label) for m in everything if not m.generic]),
    ]


def _rows_from_post(data: Any) -> list[dict[str, str]]:
    rows = []
    for index in range(FORM_ROWS):
        row = {f: str(data.get(f"item-{index}-{f}", "")).strip() for f in ITEM_FIELDS}
        rows.append(row)
    return rows


def _signature(warnings: list[dict[str, Any]]) -> str:
    """The warnings the prescriber confirmed (a changed prescription shows its warnings again)."""
    text = json.dumps([[w["code"], w.get("item"), w.get("medicine")] for w in warnings], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _form_context(
    request: HttpRequest, person: Person, rows: list[dict[str, str]], **extra: Any
) -> dict[str, Any]:
    summary = queries.summary(person)
    return {
        "person": person,
        "rows": [{"index": i, **row} for i, row in enumerate(rows)],
        "medicine_groups": medicine_choices(),
        "frequencies": services.frequency_choices(),
        "allergies": [a for a in summary.allergies if not a.no_known_allergy],
        "allergy_state": summary.state,
        "allergy_state_label": queries.ALLERGY_STATE_LABELS[summary.state],
        "medications": summary.medications,
        "catalogue_version": medicines.CATALOGUE_VERSION,
        **extra,
    }


@require_capability(Capability.PRESCRIBE)
def prescribe(request: HttpRequest, person_id: Any) -> HttpResponse:
    person = _person(request, person_id)
    consultation = None
    consultation_id = request.GET.get("consultation") or request.POST.get("consultation") or ""
    if consultation_id:
        try:
            consultation = (
                consultations_visible_to(request.user).filter(pk=consultation_id, person=person).first()
            )
        except ValidationError:
            consultation = None
    if request.method != "POST":
        rows = [dict.fromkeys(ITEM_FIELDS, "") for _ in range(FORM_ROWS)]
        for row in rows:
            row["frequency"] = "2/j"
        return render(
            request,
            "pharmacy/prescribe.html",
            _form_context(
                request, person, rows, form_id=uuid.uuid4(), consultation=consultation, weight_kg=""
            ),
        )
    rows = _rows_from_post(request.POST)
    filled = [r for r in rows if r["medicine"]]
    weight = request.POST.get("weight_kg", "").strip().replace(",", ".")
    override_reason = request.POST.get("override_reason", "").strip()
    try:
        form_id = uuid.UUID(request.POST.get("id", ""))
    except ValueError:
        form_id = uuid.uuid4()
    context: dict[str, Any] = {
        "form_id": form_id,
        "consultation": consultation,
        "weight_kg": weight,
        "override_reason": override_reason,
    }
    try:
        items = services.parse_items(filled)
        weight_value = services.to_decimal(weight) if weight else None
        if weight and (weight_value is None or not 0.3 <= float(weight_value) <= 250):
            raise ValidationError({"weight_kg": ["Poids invraisemblable (0,3 à 250 kg)."]})
        check = services.check_prescription(
            person=person, items=items, consultation=consultation, weight_kg=weight_value
        )
    except ValidationError as exc:
        context["errors"] = [m for messages_ in exc.message_dict.values() for m in messages_]
        return render(
            request, "pharmacy/prescribe.html", _form_context(request, person, rows, **context), status=400
        )
    signature = _signature(check.warnings)
    confirmed = request.POST.get("confirmed") == signature
    if check.warnings and not confirmed:
        context.update(warnings=check.warnings, blocking=bool(check.blocking), signature=signature)
        return render(request, "pharmacy/prescribe.html", _form_context(request, person, rows, **context))
    if check.blocking and not override_reason:
        context.update(
            warnings=check.warnings,
            blocking=True,
            signature=signature,
            errors=["Allergie connue : indiquez le motif pour passer outre, ou changez de médicament."],
        )
        return render(
            request, "pharmacy/prescribe.html", _form_context(request, person, rows, **context), status=400
        )
    try:
        prescription, _created = services.prescribe(
            by=request.user,
            person=person,
            items=filled,
            id=form_id,
            consultation=consultation,
            override_reason=override_reason,
            weight_kg=weight or None,
        )
    except services.AllergyConflict as conflict:
        context.update(warnings=conflict.warnings, blocking=True, signature=_signature(conflict.warnings))
        return render(
            request, "pharmacy/prescribe.html", _form_context(request, person, rows, **context), status=409
        )
    except ValidationError as exc:
        context["errors"] = [m for messages_ in exc.message_dict.values() for m in messages_]
        return render(
            request, "pharmacy/prescribe.html", _form_context(request, person, rows, **context), status=400
        )
    messages.success(request, f"Ordonnance {prescription.reference} enregistrée.")
    return redirect("pharmacy:prescription_detail", prescription.pk)


@require_capability(Capability.CLINICAL_VIEW)
def prescription_detail(request: HttpRequest, prescription_id: Any) -> HttpResponse:
    prescription = _prescription(request, prescription_id)
    today = timezone.localdate()
    lines = [
        {
            "item": item,
            "words": queries.item_words(item),
            "active": item.stopped_at is None and item.starts_on <= today <= item.ends_on,
        }
        for item in prescription.items.all()
    ]
    return render(
        request,
        "pharmacy/prescription_detail.html",
        {
            "prescription": prescription,
            "person": prescription.person,
            "lines": lines,
            "can_prescribe": has_capability(request.user, Capability.PRESCRIBE),
        },
    )


@require_capability(Capability.CLINICAL_VIEW)
def ordonnance_pdf(request: HttpRequest, prescription_id: Any) -> HttpResponse:
    return printing.ordonnance_response(_prescription(request, prescription_id), request)


@require_POST
@require_capability(Capability.PRESCRIBE)
def stop_item(request: HttpRequest, prescription_id: Any, item_id: Any) -> HttpResponse:
    prescription = _prescription(request, prescription_id)
    item = prescription.items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    try:
        services.stop_item(by=request.user, item=item, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for problems in exc.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect("pharmacy:prescription_detail", prescription.pk)
    messages.success(request, f"{item.medicine_label} arrêté.")
    return redirect("pharmacy:prescription_detail", prescription.pk)


class AllergyForm(forms.Form):
    substance = forms.CharField(
        label="Substance",
        max_length=120,
        widget=forms.TextInput(attrs={"list": "substances", "autocomplete": "off"}),
        help_text="Un médicament du catalogue (ex. amoxicilline, Bactrim), une classe (pénicillines, "
        "sulfamides, AINS) ou du texte (arachides).",
    )
    kind = forms.ChoiceField(label="Type", choices=AllergyKind.choices, initial=AllergyKind.ALLERGY)
    reaction = forms.CharField(label="Réaction", max_length=300, required=False)
    severity = forms.ChoiceField(label="Sévérité", choices=Severity.choices, initial=Severity.UNKNOWN)
    status = forms.ChoiceField(label="Statut", choices=AllergyStatus.choices, initial=AllergyStatus.ACTIVE)
    reason = forms.CharField(label="Motif de la correction", max_length=300, required=False)


def _allergy_page(
    request: HttpRequest,
    person: Person,
    form: AllergyForm,
    *,
    correcting: Allergy | None = None,
    status: int = 200,
) -> HttpResponse:
    allergies = queries.person_allergies(person, with_voided=True)
    standing = [a for a in allergies if a.voided_at is None]
    return render(
        request,
        "pharmacy/allergies.html",
        {
            "person": person,
            "form": form,
            "standing": standing,
            "history": [a for a in allergies if a.voided_at is not None],
            "state": queries.allergy_state(standing),
            "state_label": queries.ALLERGY_STATE_LABELS[queries.allergy_state(standing)],
            "correcting": correcting,
            "can_record": services.may_record_allergies(request.user),
            "substances": sorted(
                {m.dci for m in medicines.all_medicines()} | set(medicines.CLASSES.values())
            ),
            "form_id": uuid.uuid4(),
        },
        status=status,
    )


@require_capability(Capability.CLINICAL_VIEW)
def allergies(request: HttpRequest, person_id: Any) -> HttpResponse:
    person = _person(request, person_id)
    correcting = None
    correct_id = request.GET.get("corriger") or request.POST.get("corriger") or ""
    if correct_id:
        try:
            correcting = Allergy.objects.filter(
                pk=correct_id, person=person, voided_at__isnull=True, no_known_allergy=False
            ).first()
        except ValidationError:
            correcting = None
    if request.method != "POST":
        initial = {}
        if correcting is not None:
            initial = {
                "substance": correcting.substance,
                "kind": correcting.kind,
                "reaction": correcting.reaction,
                "severity": correcting.severity,
                "status": correcting.status,
            }
        return _allergy_page(request, person, AllergyForm(initial=initial), correcting=correcting)
    if not services.may_record_allergies(request.user):
        raise PermissionDenied
    try:
        form_id = uuid.UUID(request.POST.get("id", ""))
    except ValueError:
        form_id = uuid.uuid4()
    if request.POST.get("no_known_allergy") == "1":
        try:
            services.record_allergy(by=request.user, person=person, id=form_id, no_known_allergy=True)
        except ValidationError as exc:
            for problems in exc.message_dict.values():
                for problem in problems:
                    messages.error(request, problem)
            return redirect("pharmacy:allergies", person.pk)
        messages.success(request, "« Aucune allergie connue » enregistré.")
        return redirect("pharmacy:allergies", person.pk)
    form = AllergyForm(request.POST)
    if not form.is_valid():
        return _allergy_page(request, person, form, correcting=correcting, status=400)
    data = dict(form.cleaned_data)
    reason = data.pop("reason", "")
    try:
        if correcting is not None:
            services.correct_allergy(by=request.user, allergy=correcting, reason=reason, **data)
        else:
            services.record_allergy(by=request.user, person=person, id=form_id, **data)
    except ValidationError as exc:
        for key, problems in exc.message_dict.items():
            for problem in problems:
                form.add_error(key if key in form.fields else None, problem)
        return _allergy_page(request, person, form, correcting=correcting, status=400)
    messages.success(request, "Allergie corrigée." if correcting else "Allergie enregistrée.")
    return redirect("pharmacy:allergies", person.pk)


@require_POST
@require_capability(Capability.CLINICAL_VIEW)
def allergy_void(request: HttpRequest, person_id: Any, allergy_id: Any) -> HttpResponse:
    person = _person(request, person_id)
    if not services.may_record_allergies(request.user):
        raise PermissionDenied
    allergy = Allergy.objects.filter(pk=allergy_id, person=person).first()
    if allergy is None:
        raise Http404
    try:
        services.void_allergy(by=request.user, allergy=allergy, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for problems in exc.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect("pharmacy:allergies", person.pk)
    messages.success(request, "Allergie annulée (elle reste dans l'historique).")
    return redirect("pharmacy:allergies", person.pk)


def patient_section(request: HttpRequest, person: Person) -> list[tuple[int, SafeString]]:
    """``records.hooks.patient_sections``: allergies, current medications, the last ordonnances
    with their print button, and the "Prescrire" link."""
    user = request.user
    if not has_capability(user, Capability.CLINICAL_VIEW):
        return []
    summary = queries.summary(person)
    # "After a consultation": the prescription is linked to today's consultation at the facility.
    today_consultation = None
    facility = getattr(user, "facility", None)
    if facility is not None:
        today_consultation = (
            Consultation.objects.filter(
                person=person, facility=facility, consulted_at__date=timezone.localdate()
            )
            .order_by("-consulted_at")
            .values_list("pk", flat=True)
            .first()
        )
    html = render_to_string(
        "pharmacy/_patient_section.html",
        {
            "person": person,
            "allergies": [a for a in summary.allergies if not a.no_known_allergy],
            "allergy_state": summary.state,
            "allergy_state_label": queries.ALLERGY_STATE_LABELS[summary.state],
            "medications": [{"item": i, "words": queries.item_words(i)} for i in summary.medications],
            "prescriptions": queries.person_prescriptions(person, limit=5),
            "can_prescribe": has_capability(user, Capability.PRESCRIBE),
            "can_record_allergies": services.may_record_allergies(user),
            "consultation_id": today_consultation,
        },
        request=request,
    )
    return [(30, mark_safe(html))]  # noqa: S308 - our own template, autoescaped
