"""What triggered an alert, and its title, in the reader's language.

Alerts store their title and findings in French (the facts as raised). The display translates
them: the title through the catalog (every rule's title is a msgid below), the findings sentence by
sentence (a list of reasons is split and shown as items, never as "a.; b.").
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from keneya.alerts.models import Alert
from keneya.alerts.rules import REFERRAL_NOT_ARRIVED, RULES
from keneya.core.text import join_reasons, reason_items
from keneya.visits.display import sign_label, trigger_texts

register = template.Library()

# The rules' titles (keneya/alerts/rules.py, stored in French on each alert) as catalog msgids, so
# that makemessages extracts them and the English catalog can translate them.
# keneya/alerts/tests/test_alert_display.py fails when a rule's title is missing here.
# The titles alerts carry (French, stored as facts): the rules mark them for the catalogs
# (gettext_noop in alerts/rules.py) and each reads in the reader's language.
RULE_TITLES = tuple(rule.title_fr for rule in (*RULES, REFERRAL_NOT_ARRIVED))


def translated(text: str) -> str:
    """A French sentence stored as a fact, in the active language when the catalog has it."""
    return gettext(text) if text else ""


@register.filter
def alert_title(alert: Alert) -> str:
    return translated(alert.title)


@register.filter
def triggers(alert: Alert) -> list[str]:
    if alert.visit_id and alert.visit is not None:
        texts = trigger_texts(alert.visit.assessment)
        if texts:
            return [translated(t) for t in texts]
    return [translated(sign_label(item)) for f in alert.findings or [] for item in reason_items(str(f))]


@register.filter
def reasons(value: object) -> str:
    """A list of reasons (or a stored reason text) as "a ; b ; c"."""
    if isinstance(value, str) or value is None:
        return join_reasons(value)
    return join_reasons([str(v) for v in value])  # type: ignore[attr-defined]
