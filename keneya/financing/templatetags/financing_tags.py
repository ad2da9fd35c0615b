"""``{{ amount|fcfa }}``: an integer F CFA as ``125 000 F CFA`` (babel, fr_ML)."""

from __future__ import annotations

from typing import Any

from django import template

from keneya.financing.ledger import money

register = template.Library()


@register.filter
def fcfa(value: Any) -> str:
    try:
        return money(int(value))
    except (TypeError, ValueError):
        return ""
