"""What a pull sends for each object: its current data, compact, or a tombstone.

The operation comes from the object's state now, not from the log row: an object is sent as an
``upsert`` only while it belongs to the CHW (household assigned to them and not dissolved,
person not merged, visit/alert/referral of such a person); otherwise it is a ``delete``. So a
tablet always converges to the server's state, and data that left the CHW's zone is never sent
to them, whatever the log holds. One query per type.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from keneya.alerts.models import Alert
from keneya.clinical.immunization import canonical_code
from keneya.people.models import Household, HouseholdStatus, Person
from keneya.referrals.models import Referral
from keneya.sync.models import ChangeType
from keneya.visits.models import Visit
from keneya.visits.services import VACCINES_FINDING


def _json(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _pick(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: _json(getattr(obj, name)) for name in names}


def _household_live(household: Household, chw_id: Any) -> bool:
    return household.chw_id == chw_id and household.status != HouseholdStatus.DISSOLVED


def _person_live(person: Person, chw_id: Any) -> bool:
    return person.merged_into_id is None and _household_live(person.household, chw_id)


def household_data(household: Household) -> dict[str, Any]:
    data = _pick(
        household,
        ("code", "address_description", "gps_latitude", "gps_longitude", "phone", "phone_alt", "status"),
    )
    data.update(
        quartier=str(household.quartier_id), head=str(household.head_id) if household.head_id else None
    )
    return data


def person_data(person: Person) -> dict[str, Any]:
    data = _pick(
        person,
        (
            "family_name",
            "given_names",
            "sex",
            "date_of_birth",
            "date_of_birth_estimated",
            "relationship_to_head",
            "phone",
            "nina",
            "birth_certificate_number",
            "ramed_number",
            "mutuelle_number",
            "vital_status",
            "date_of_death",
        ),
    )
    data["household"] = str(person.household_id)
    return data


def visit_data(visit: Visit) -> dict[str, Any]:
    data = _pick(visit, ("visit_date", "kind", "action", "urgent", "follow_up_days", "measurements"))
    data.update(
        person=str(visit.person_id),
        household=str(visit.household_id),
        classifications=list(visit.assessment.get("classifications", [])),
        assessment_mismatch=visit.device_assessment_mismatch,
    )
    card = _vaccination_card(visit)
    if card:  # only when a card was copied: most visits carry none
        data["vaccines"] = card
    return data


def _vaccination_card(visit: Visit) -> dict[str, str]:
    """The doses copied at this visit under their schedule code, so that every tablet of the
    CHW shows them as given (codes since removed from the schedule are left out)."""
    card = visit.findings.get(VACCINES_FINDING)
    if not isinstance(card, dict):
        return {}
    doses = {}
    for code, given in card.items():
        try:
            doses[canonical_code(code)] = str(given)
        except ValueError:
            continue
    return doses


def alert_data(alert: Alert) -> dict[str, Any]:
    data = _pick(
        alert,
        ("rule", "priority", "status", "title", "raised_at", "appointment_date", "closed_at", "close_reason"),
    )
    data.update(
        person=str(alert.person_id),
        visit=str(alert.visit_id) if alert.visit_id else None,
        facility=alert.facility.name,
    )
    return data


def referral_data(referral: Referral) -> dict[str, Any]:
    data = _pick(
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
        person=str(referral.person_id),
        visit=str(referral.visit_id) if referral.visit_id else None,
        to_facility=referral.to_facility.name,
    )
    return data


def _entry(data: dict[str, Any] | None) -> dict[str, Any]:
    return {"op": "upsert", "data": data} if data is not None else {"op": "delete"}


def load(kind: str, ids: set[uuid.UUID], chw_id: Any) -> dict[uuid.UUID, dict[str, Any]]:
    """For each id, ``{"op": "upsert", "data": ...}`` when it is live for the CHW, else a
    tombstone ``{"op": "delete"}`` (a merged person's names the record kept: tablets re-point
    their pending visits to it). An id missing from the answer no longer exists: a tombstone."""
    found: dict[uuid.UUID, dict[str, Any]] = {}
    if kind == ChangeType.HOUSEHOLD:
        for household in Household.objects.filter(pk__in=ids):
            live = _household_live(household, chw_id)
            found[household.pk] = _entry(household_data(household) if live else None)
    elif kind == ChangeType.PERSON:
        for person in Person.objects.filter(pk__in=ids).select_related("household"):
            found[person.pk] = _entry(person_data(person) if _person_live(person, chw_id) else None)
            if person.merged_into_id is not None:
                found[person.pk]["data"] = {"merged_into": str(person.merged_into_id)}
    elif kind == ChangeType.VISIT:
        visits = Visit.objects.filter(pk__in=ids).select_related("person__household")
        for visit in visits:
            found[visit.pk] = _entry(visit_data(visit) if _person_live(visit.person, chw_id) else None)
    elif kind == ChangeType.ALERT:
        alerts = Alert.objects.filter(pk__in=ids).select_related("person__household", "facility")
        for alert in alerts:
            found[alert.pk] = _entry(alert_data(alert) if _person_live(alert.person, chw_id) else None)
    elif kind == ChangeType.REFERRAL:
        referrals = Referral.objects.filter(pk__in=ids).select_related("person__household", "to_facility")
        for referral in referrals:
            live = _person_live(referral.person, chw_id)
            found[referral.pk] = _entry(referral_data(referral) if live else None)
    return found
