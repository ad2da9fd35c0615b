"""Where the referrals' story continues in the apps above (see ``keneya.core.hooks``).

``referral_not_arrived`` is called by ``referrals.services.mark_not_arrived`` inside its
transaction, as ``(referral, now=...)``; ``keneya.alerts`` registers the follow-up alert there.
"""

from __future__ import annotations

from keneya.core.hooks import Hook

referral_not_arrived = Hook(
    "referral_not_arrived",
    "A referral was marked not arrived: receivers get (referral, *, now: datetime | None).",
)
