"""Extension points ``records`` owns, for the apps above it (see ``keneya.core.hooks``).

``patient_page`` is called by the patient page (``records.views.patient``) and the consultation
form (``records.views.consultation_create``) with ``(user, person)``; each receiver returns the
context it adds (``social_coverage``: the French lines of the person's coverage, for the roles
that see it).
"""

from __future__ import annotations

from keneya.core.hooks import Hook

patient_page = Hook(
    "patient_page",
    "The patient page and the consultation form: (user, person) -> dict of context.",
)
