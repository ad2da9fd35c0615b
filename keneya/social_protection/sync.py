"""Screenings as a syncable type, and what a tablet needs offline for them (docs/sync.md).

- ``screening``: append-only facts (like visits), pushed by the CHW's tablet and pulled by the
  CHW's other tablets under their household. Every record goes through
  ``services.record_screening`` (the validation of the web form and the REST API): a bad answer
  or a future date is refused for that record alone, with its field errors; the same id again
  is a ``duplicate``; an id stored outside the CHW's scope is ``id_taken``.
- ``appointment``: push only, op ``done``: the CHW marks an appointment of a dossier done from the
  tablet's task list, offline ("Fait"); through ``services.mark_appointment_done`` (the web
  button's service), idempotent (done again: ``duplicate``, the first date kept), scoped to the
  appointments of the CHW's households (another's: ``id_taken``). Nothing is pulled back: the
  task list comes whole with the pull, without the task.
- Pull extras (whole, with the last page): ``scorecard``, the active grid, so the tablet scores
  offline with ``engine/scorecard.js``; ``coverage``, the French coverage lines of the persons
  of the CHW's households (``queries.coverage_text``), so the household and person screens show
  them offline. The grid is server data an administrator loads (not a file shipped with the
  code), so it comes with the sync rather than with the service worker's precache.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.people.models import Household, HouseholdStatus, Person
from keneya.people.scope import households_visible_to
from keneya.people.sync import HOUSEHOLD, household_live
from keneya.social_protection import queries, services
from keneya.social_protection.models import Appointment, DossierMember, ScorecardVersion, Screening
from keneya.sync import changelog, incoming
from keneya.sync.fields import coerce, date_or_none, json_object, text, uuid_value
from keneya.sync.payloads import pick
from keneya.sync.registry import Batch, Direction, Incoming, SyncType, register, register_pull_extra

SCREENING = "screening"  # the name services.record_screening logs its changes under


# --- Push -------------------------------------------------------------------------------------
def _apply(batch: Batch, record: Incoming) -> dict[str, Any]:
    values = coerce(SCREENING_TYPE, record.fields)
    stored = Screening.objects.filter(pk=record.id).select_related("household").first()
    if stored is not None:
        household = stored.household  # the same id again: the service answers the stored one
    else:
        household_id = values.get("household")
        found = Household.objects.filter(pk=household_id).first() if household_id else None
        if found is None:
            message = _("Ménage inconnu : envoyez le ménage avant son dépistage.")
            raise ValidationError({"household": [message]})
        household = found
    try:
        screening, created = services.record_screening(
            by=batch.user,
            id=record.id,
            household=household,
            screened_on=values.get("screened_on"),  # type: ignore[arg-type]  # None: the service's error
            answers=values.get("answers", {}),
            admis_de_droit=values.get("admis_de_droit", ""),
        )
    except services.IdTaken:
        raise incoming.IdTaken from None
    return {
        "status": "accepted" if created else "duplicate",
        "version": changelog.version_of(SCREENING, record.id),
        "score": screening.score,
        "band": screening.band,
    }


def _screenings_in_scope(user: Any) -> QuerySet[Screening]:
    return queries.screenings_visible_to(user)


# --- Pull -------------------------------------------------------------------------------------
@lru_cache(maxsize=32)
def _grid_labels(scorecard_id: uuid.UUID) -> tuple[str, dict[str, str]]:
    """A grid version's number and band labels (a loaded version never changes)."""
    version = ScorecardVersion.objects.only("version", "definition").get(pk=scorecard_id)
    return version.version, {b["code"]: b.get("label_fr", b["code"]) for b in version.definition["bands"]}


def screening_live(screening: Screening, chw_id: Any) -> bool:
    return household_live(screening.household, chw_id)


def screening_data(screening: Screening) -> dict[str, Any]:
    data = pick(screening, ("screened_on", "answers", "admis_de_droit", "score", "band", "breakdown"))
    version, bands = _grid_labels(screening.scorecard_id)
    data.update(
        household=str(screening.household_id),
        band_label_fr=bands.get(screening.band, screening.band),
        scorecard_version=version,
        validated=screening.validated_at is not None,
    )
    return data


SCREENING_TYPE = register(
    SyncType(
        name=SCREENING,
        model=Screening,
        order=60,
        direction=Direction.BOTH,
        mergeable=False,  # append-only facts: a later screening supersedes, none is edited
        fields={
            "household": uuid_value,
            "screened_on": date_or_none,
            "answers": json_object,
            "admis_de_droit": text,
        },
        # What the tablet computed (engine/scorecard.js) and may send back: the server scores again.
        read_only=frozenset({"score", "band", "band_label_fr", "breakdown", "scorecard_version"}),
        ops=("create",),
        apply=_apply,
        scope=_screenings_in_scope,
        parent=(HOUSEHOLD, "household"),
        chw="household__chw",
        live=screening_live,
        payload=screening_data,
        select_related=("household",),
    )
)


# --- Appointments done on the tablet (push only) ------------------------------------------------
APPOINTMENT = "appointment"


def _apply_appointment_done(batch: Batch, record: Incoming) -> dict[str, Any]:
    values = coerce(APPOINTMENT_TYPE, record.fields)
    appointment = (
        Appointment.objects.select_related("dossier", "dossier__household").filter(pk=record.id).first()
    )
    if appointment is None:
        raise ValidationError({"id": [_("Rendez-vous inconnu.")]})
    was_done = appointment.done_on is not None
    try:
        done = services.mark_appointment_done(
            by=batch.user, appointment=appointment, on=values.get("done_on") or timezone.localdate()
        )
    except ValidationError as error:  # the service's "on" is the wire's "done_on"
        raise ValidationError({"done_on": error.messages}) from None
    assert done.done_on is not None
    return {"status": "duplicate" if was_done else "accepted", "done_on": done.done_on.isoformat()}


def _appointments_in_scope(user: Any) -> QuerySet[Appointment]:
    return Appointment.objects.filter(dossier__household__in=households_visible_to(user))


APPOINTMENT_TYPE = register(
    SyncType(
        name=APPOINTMENT,
        model=Appointment,
        order=70,
        direction=Direction.PUSH,
        fields={"done_on": date_or_none},
        ops=("done",),
        apply=_apply_appointment_done,
        scope=_appointments_in_scope,
        chw="dossier__household__chw",
        live=lambda _appointment, _chw_id: False,  # never pulled: the task list says what is open
        payload=lambda appointment: {"done_on": appointment.done_on and appointment.done_on.isoformat()},
    )
)


# --- Pull extras ------------------------------------------------------------------------------
def pulled_scorecard(chw: Any) -> dict[str, Any] | None:
    """The active grid (its whole definition, with French labels) for the tablet's engine."""
    version = queries.current_scorecard()
    if version is None:
        return None
    return {
        "id": str(version.pk),
        "version": version.version,
        "title": version.title,
        "illustrative": version.illustrative,
        "source": version.source,
        "definition": version.definition,
    }


def pulled_coverage(chw: Any) -> dict[str, Any]:
    """The coverage lines of the persons of the CHW's households that a dossier enrols (the
    others: ``none``, the line for a person without coverage)."""
    persons = Person.objects.filter(
        household__chw=chw, merged_into__isnull=True, pk__in=DossierMember.objects.values("person_id")
    ).exclude(household__status=HouseholdStatus.DISSOLVED)
    on = timezone.localdate()
    lines = {str(p.pk): queries.coverage_text(queries.coverage_for(p, on=on)) for p in persons}
    return {"as_of": on.isoformat(), "none": queries.coverage_text([])[0], "persons": lines}


register_pull_extra("scorecard", pulled_scorecard)
register_pull_extra("coverage", pulled_coverage)
