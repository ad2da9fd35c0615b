"""The time to care of a referral, for lists: the delay and whether it missed the 24 h goal."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone

from keneya.core.text import join_reasons
from keneya.referrals.models import CARE_TARGET, Referral

register = template.Library()


@register.filter
def care_delay(referral: Referral) -> timedelta | None:
    return referral.care_delay(timezone.now())


@register.filter
def care_late(referral: Referral) -> bool:
    delay = referral.care_delay(timezone.now())
    return delay is not None and delay > CARE_TARGET


@register.filter
def reason_text(reason: str) -> str:
    """A referral's reason, a list of the engine's sentences, as "a ; b ; c" (keneya.core.text)."""
    return join_reasons(reason)
