"""Extension points ``records`` owns, for the apps above it (see ``keneya.core.hooks``).

``patient_page`` is called by the patient page (``records.views.patient``) and the consultation
form (``records.views.consultation_create``) with ``(user, person)``; each receiver returns the
context it adds. The coverage, once given there, is now in the summary (``summary_parts``,
shown by the patient banner ``{% patient_banner person %}`` of ``record_tags``).
"""

from __future__ import annotations

from keneya.core.hooks import Hook

patient_page = Hook(
    "patient_page",
    "The patient page and the consultation form: (user, person) -> dict of context.",
)

summary_parts = Hook(
    "summary_parts",
    "The patient summary (banner, GET /api/v1/persons/{id}/summary/, the printed carnet): "
    "(user, person) -> dict of summary keys, each a JSON-ready list or dict whose items carry a "
    'French "label" for display (pharmacy: allergies, medications; lab: recent_lab_results; '
    "social_protection: coverage). Called only after the caller's scope and capability checks.",
)

patient_sections = Hook(
    "patient_sections",
    "The patient page below the banner: (request, person) -> list of (order, safe HTML) sections "
    "that higher apps render with their own templates (prescriptions, lab, financing...).",
)

patient_timeline = Hook(
    "patient_timeline",
    "The patient's one timeline across facilities: (user, person) -> list of dicts "
    '{"at": aware datetime, "kind": str, "title": French str, "facility": str or "", '
    '"url": str or None, "detail": str}.',
)
