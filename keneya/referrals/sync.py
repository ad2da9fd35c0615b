"""Referrals as a syncable type: pulled only, so that their outcome reaches the CHW's tablet."""

from __future__ import annotations

from typing import Any

from keneya.people.sync import PERSON, person_live
from keneya.referrals.models import Referral
from keneya.sync.payloads import pick, ref
from keneya.sync.registry import Direction, SyncType, register

REFERRAL = "referral"


def referral_data(referral: Referral) -> dict[str, Any]:
    data = pick(
        referral,
        (
            "status",
            "urgent",
            "reason",
            "issued_at",
            "arrived_at",
            "seen_at",
            "counter_referral_note",
            "counter_referred_at",
            "closed_at",
        ),
    )
    data.update(
        person=str(referral.person_id), visit=ref(referral.visit_id), to_facility=referral.to_facility.name
    )
    return data


REFERRAL_TYPE = register(
    SyncType(
        name=REFERRAL,
        model=Referral,
        order=50,
        direction=Direction.PULL,
        parent=(PERSON, "person"),
        chw="person__household__chw",
        live=lambda referral, chw_id: person_live(referral.person, chw_id),
        payload=referral_data,
        select_related=("person__household", "to_facility"),
    )
)
