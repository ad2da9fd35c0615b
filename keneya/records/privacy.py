"""A person's data export and anonymisation (issue #10, Mali law 2013-015), for the administrator.

The parts come from every app through ``people.privacy.register_person_data``; this module adds
the record's own (consultations, the access log, break-glass accesses, sync conflicts) and the
two services, which check the role and log what they did.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from keneya.accounts.models import Role
from keneya.people.models import Person
from keneya.people.privacy import anonymise_person_data, collect_person_data, register_person_data
from keneya.records.access import REASON_MAX, access_entry, access_log, log_reads
from keneya.records.models import Anonymisation, BreakGlassGrant, Consultation

CONFIRMATION_WORD = "ANONYMISER"


def may_handle_person_data(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role == Role.ADMIN)


def person_for_privacy(*, user: Any, person_id: Any) -> Person:
    """PermissionDenied unless administrator; DoesNotExist for an unknown id (merged included)."""
    if not may_handle_person_data(user):
        raise PermissionDenied
    return Person.objects.select_related("household", "household__quartier").get(pk=person_id)


def export_person_data(*, by: Any, person: Person) -> dict[str, Any]:
    """Everything Kènèya holds on ``person``, part by part (JSON-ready)."""
    if not may_handle_person_data(by):
        raise PermissionDenied
    return {
        "person": str(person.pk),
        "exported_at": timezone.now().isoformat(),
        "exported_by": by.username,
        "anonymised": Anonymisation.objects.filter(person=person).exists(),
        "parts": collect_person_data(person),
    }


@transaction.atomic
def anonymise_person(*, by: Any, person: Person, reason: str, confirm: bool) -> Anonymisation:
    """Remove what identifies ``person`` (every registered part), irreversibly, and log it.

    Administrator only, with a reason and an explicit confirmation. A second call changes
    nothing and returns the first call's row.
    """
    if not may_handle_person_data(by):
        raise PermissionDenied
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if len(reason) < 5:
        errors["reason"] = [_("Indiquez le motif (la demande de la personne, sa date).")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("Motif trop long (300 caractères au plus).")]
    if not confirm:
        errors["confirm"] = [_("Confirmez : l'anonymisation est irréversible.")]
    if errors:
        raise ValidationError(errors)
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one anonymisation at a time
    done = Anonymisation.objects.filter(person=person).first()
    if done is not None:
        return done
    summary = anonymise_person_data(person)
    person.refresh_from_db()
    _tell_the_tablets(person)
    record = Anonymisation.objects.create(person=person, by=by, reason=reason, summary=summary)
    log_reads(user=by, action="anonymisation", person_ids=[person.pk], reason=reason)
    return record


def _tell_the_tablets(person: Person) -> None:
    """The CHW's tablet replaces its copy of the person and the household at the next pull."""
    from keneya.sync import changelog

    chw_id = person.household.chw_id
    changelog.record_changes(
        objects=[("person", person.pk), ("household", person.household_id)], chw_id=chw_id
    )


# --- The record's parts ---------------------------------------------------------------------------


def _consultations(person: Person) -> list[dict[str, Any]]:
    rows = (
        Consultation.objects.filter(person=person)
        .select_related("facility", "clinician")
        .prefetch_related("diagnoses")
        .order_by("consulted_at")
    )
    return [
        {
            "id": c.pk,
            "consulted_at": c.consulted_at,
            "facility": c.facility.name,
            "clinician": c.clinician.username,
            "complaint": c.complaint,
            "examination": c.examination,
            "treatment": c.treatment,
            "diagnoses": [f"{d.icd10_code} {d.label}" for d in c.diagnoses.all()],
            "follow_up_date": c.follow_up_date,
            "weight_kg": c.weight_kg,
            "height_cm": c.height_cm,
            "temperature_c": c.temperature_c,
        }
        for c in rows
    ]


def _anonymise_consultations(person: Person) -> int:
    """Free text (which may name the person or their family) blanked; dates, facility, ICD-10
    codes and vitals kept for the indicators."""
    return (
        Consultation.objects.filter(person=person)
        .exclude(complaint="", examination="", treatment="")
        .update(complaint="", examination="", treatment="")
    )


def _access_log(person: Person) -> list[dict[str, Any]]:
    return [access_entry(row) for row in access_log(person=person)]


def _break_glass(person: Person) -> list[dict[str, Any]]:
    rows = BreakGlassGrant.objects.filter(person=person).select_related("user").order_by("-granted_at")
    return [
        {"user": g.user.username, "granted_at": g.granted_at, "expires_at": g.expires_at, "reason": g.reason}
        for g in rows
    ]


def _anonymise_sync_conflicts(person: Person) -> int:
    """The values of the sync conflicts on the person (and their household when they lived
    alone): old names and phones."""
    from keneya.sync.models import SyncConflict

    ids = [person.pk]
    if not Person.objects.filter(household_id=person.household_id).exclude(pk=person.pk).exists():
        ids.append(person.household_id)
    conflicts = SyncConflict.objects.filter(object_id__in=ids).exclude(
        server_value=None, incoming_value=None, chosen_value=None
    )
    return conflicts.update(server_value=None, incoming_value=None, chosen_value=None)


ACCESS_LABELS = {
    "user": _lazy("Utilisateur"),
    "user_name": _lazy("Nom"),
    "role": _lazy("Rôle"),
    "at": _lazy("Le"),
    "action": _lazy("Page ou service"),
    "reason": _lazy("Motif"),
    "break_glass": _lazy("Bris de glace"),
}

register_person_data(
    "consultations",
    title=_lazy("Consultations"),
    collect=_consultations,
    anonymise=_anonymise_consultations,
    order=60,
    labels={
        "id": _lazy("Identifiant"),
        "consulted_at": _lazy("Le"),
        "facility": _lazy("Structure"),
        "clinician": _lazy("Soignant"),
        "complaint": _lazy("Motif"),
        "examination": _lazy("Examen"),
        "treatment": _lazy("Traitement"),
        "diagnoses": _lazy("Diagnostics (CIM-10)"),
        "follow_up_date": _lazy("Revoir le"),
        "weight_kg": _lazy("Poids (kg)"),
        "height_cm": _lazy("Taille (cm)"),
        "temperature_c": _lazy("Température (°C)"),
    },
)
register_person_data(
    "break_glass",
    title=_lazy("Accès d'urgence (bris de glace)"),
    collect=_break_glass,
    order=80,
    labels={
        "user": _lazy("Utilisateur"),
        "granted_at": _lazy("Ouvert le"),
        "expires_at": _lazy("Jusqu'au"),
        "reason": _lazy("Motif"),
    },
)
register_person_data(
    "access_log",
    title=_lazy("Qui a consulté ce dossier"),
    collect=_access_log,
    order=90,
    labels=ACCESS_LABELS,
)
register_person_data(
    "sync_conflicts",
    title=_lazy("Conflits de synchronisation"),
    collect=None,
    anonymise=_anonymise_sync_conflicts,
    order=95,
)
