"""The outbox's part of anonymisation: the SMS sent about a person lose their text.

Called by the apps that sent them (alerts, referrals), with the dedup-key prefixes they used.
"""

from __future__ import annotations

from django.db.models import Q

from keneya.notifications.models import OutboxMessage

ANONYMISED_TEXT = "[anonymisé]"


def blank_messages_about(prefixes: list[str]) -> int:
    """Blank the text and context of the outbox messages whose key starts with one of
    ``prefixes`` ("alert:<id>:"). Idempotent."""
    if not prefixes:
        return 0
    about = Q()
    for prefix in prefixes:
        about |= Q(dedup_key__startswith=prefix)
    return (
        OutboxMessage.objects.filter(about)
        .exclude(body=ANONYMISED_TEXT)
        .update(body=ANONYMISED_TEXT, context={})
    )
