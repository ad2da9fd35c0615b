"""Where the visits' story continues in the apps above: the extension points ``visits`` owns.

``visits_stored`` is called by ``visits.services`` inside the transaction that stored new
visits, with one ``VisitToCheck`` per visit; ``keneya.alerts`` registers the alert rules there
(which issue the referrals of urgent visits). See ``keneya.core.hooks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from keneya.core.hooks import Hook
from keneya.visits.models import Visit


@dataclass(frozen=True)
class VisitToCheck:
    """A visit stored in this transaction (with its person and household loaded), and the
    child's weighings up to it, oldest first (``visits.queries.weighings``)."""

    visit: Visit
    weights: Sequence[tuple[date, float]] = ()


visits_stored = Hook(
    "visits_stored",
    "New visits were stored in this transaction: receivers get (checks: Sequence[VisitToCheck]).",
)
