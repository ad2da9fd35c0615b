"""The referrals' part of a person's data (``people.privacy``). On anonymisation the referrals
stay (time to care is an indicator) but the counter-referral note, free text that may name the
person, and the SMS sent about them are blanked."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from keneya.notifications.privacy import blank_messages_about
from keneya.people.models import Person
from keneya.people.privacy import register_person_data
from keneya.referrals.models import Referral


def _referrals(person: Person) -> list[dict[str, Any]]:
    rows = (
        Referral.objects.filter(person=person)
        .select_related("from_facility", "to_facility")
        .order_by("issued_at")
    )
    return [
        {
            "id": r.pk,
            "issued_at": r.issued_at,
            "from_facility": r.from_facility.name if r.from_facility else "",
            "to_facility": r.to_facility.name,
            "reason": r.reason,
            "status": r.status,
            "arrived_at": r.arrived_at,
            "seen_at": r.seen_at,
            "counter_referral_note": r.counter_referral_note,
            "closed_at": r.closed_at,
        }
        for r in rows
    ]


def _anonymise_referrals(person: Person) -> int:
    referrals = Referral.objects.filter(person=person)
    changed = referrals.exclude(counter_referral_note="").update(counter_referral_note="")
    return changed + blank_messages_about(
        [f"referral:{pk}:" for pk in referrals.values_list("pk", flat=True)]
    )


register_person_data(
    "referrals",
    title=_("Références"),
    collect=_referrals,
    anonymise=_anonymise_referrals,
    order=50,
    labels={
        "id": _("Identifiant"),
        "issued_at": _("Émise le"),
        "from_facility": _("De"),
        "to_facility": _("Vers"),
        "reason": _("Motif"),
        "status": _("Statut"),
        "arrived_at": _("Arrivée le"),
        "seen_at": _("Vue le"),
        "counter_referral_note": _("Contre-référence"),
        "closed_at": _("Close le"),
    },
)
