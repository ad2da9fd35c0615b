"""The clinician's patient page (one timeline, the growth chart) and the consultation form.

Opening the patient page writes a ``RecordAccess`` row (who, when, "patient_page").
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from keneya.accounts.permissions import Capability, has_capability, require_capability
from keneya.core.models import FacilityKind
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.people.templatetags.people_tags import hours
from keneya.records import charts, icd10, queries, services
from keneya.records.forms import ConsultationForm
from keneya.referrals import queries as referral_queries

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


@require_capability(Capability.CLINICAL_VIEW)
def patient(request: HttpRequest, person_id: Any) -> HttpResponse:
    person = _get_person(request, person_id)
    services.log_record_access(user=request.user, person=person, context="patient_page")
    record = queries.patient_record(person=person)
    return render(
        request,
        "records/patient.html",
        {
            "person": person,
            "record": record,
            "timeline": record.timeline,
            "chart": charts.growth_chart(
                person=person,
                visits=record.visits,
                consultations=record.consultations,
                today=timezone.localdate(),
            ),
            "can_consult": has_capability(request.user, Capability.CONSULTATION_RECORD),
            "can_refer": _can_refer_to_csref(request.user),
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
