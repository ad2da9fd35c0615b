"""Extension points ``people`` owns, for the apps above it (see ``keneya.core.hooks``).

``person_page`` is called by the person page (``people.views.person_detail``) with
``(user, person, *, can_record_visit, show_outcomes)``; each receiver returns the context it adds
(``visits``: the recent visits; ``alerts``; ``referrals``: what became of the CHW's referrals).
"""

from __future__ import annotations

from keneya.core.hooks import Hook

person_page = Hook(
    "person_page",
    "The person page: (user, person, *, can_record_visit, show_outcomes) -> dict of context.",
)
