"""The printed ordonnance (PDF, A5, French): facility header, prescriber, the patient's name, age
and (for a child) weight, each medicine in plain words, the coverage scheme and card number, a QR
code of the prescription's reference, the date. Rendered by ``keneya.core.pdf``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from keneya.core.pdf import pdf_response, qr_svg
from keneya.people.templatetags.people_tags import age_text
from keneya.pharmacy.models import Prescription
from keneya.pharmacy.queries import item_words
from keneya.social_protection.queries import COVERAGE_LABELS, SCHEME_LABELS

CHILD_WEIGHT_BELOW_MONTHS = 15 * 12  # the weight is printed for a child (doses by weight)


def qr_text(prescription: Prescription) -> str:
    """What the QR code carries: the reference and the id (no name, no medicine)."""
    return f"KENEYA-ORD {prescription.reference} {prescription.pk}"


def ordonnance_context(prescription: Prescription) -> dict[str, Any]:
    person = prescription.person
    prescriber = prescription.prescriber
    items = list(prescription.items.all())
    coverage = [
        {
            "scheme": SCHEME_LABELS.get(c["scheme"], c["scheme"]),
            "status": COVERAGE_LABELS.get(c["status"], c["status"]),
            "card_number": c.get("card_number") or "",
        }
        for c in prescription.coverage
    ]
    child = prescription.age_months is not None and prescription.age_months < CHILD_WEIGHT_BELOW_MONTHS
    return {
        "prescription": prescription,
        "facility": prescription.facility,
        "person": person,
        "age": age_text(person.date_of_birth, prescription.prescribed_at.date()),
        "show_weight": child and prescription.weight_kg is not None,
        "prescriber_name": prescriber.get_full_name() or prescriber.get_username(),
        "prescriber_cadre": prescriber.get_cadre_display() if getattr(prescriber, "cadre", "") else "",
        "lines": [{"item": item, "words": item_words(item)} for item in items],
        "coverage": coverage,
        "qr": qr_svg(qr_text(prescription), scale=2),
    }


def ordonnance_response(prescription: Prescription, request: HttpRequest) -> HttpResponse:
    return pdf_response(
        "pharmacy/ordonnance.html",
        ordonnance_context(prescription),
        request,
        filename=f"ordonnance-{prescription.reference}.pdf",
    )
