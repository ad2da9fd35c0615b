"""Visits as a syncable type: append-only facts, pushed by runs and pulled (docs/sync.md).

A run of consecutive visit records of a batch is recorded at once by
``visits.services.record_home_visits`` (set-based, re-assessed by the server, with the same
validation as the form and the REST API). The CHW's task list comes whole with the last page of
a pull, and the supervision page lists the visits whose tablet assessment differed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.clinical.immunization import canonical_code
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.people.sync import PERSON, person_live
from keneya.sync import changelog
from keneya.sync.incoming import IdTaken
from keneya.sync.payloads import pick
from keneya.sync.registry import (
    Batch,
    Direction,
    Incoming,
    SupervisionPanel,
    SyncType,
    register,
    register_pull_extra,
    register_supervision_panel,
)
from keneya.visits.models import Visit
from keneya.visits.queries import assessment_mismatches
from keneya.visits.services import VACCINES_FINDING, Outcome, VisitData, record_home_visits
from keneya.visits.worklist import tasks_for_chw

VISIT = "visit"
MISMATCH_ROWS = 50


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- Push -------------------------------------------------------------------------------------
def _persons_in_scope(batch: Batch, person_id: uuid.UUID) -> Person | None:
    """The person, with household, if the CHW sees them; else None (unknown or out of scope:
    the caller tells which). The persons of all the batch's visits are read at once, again
    after a household or person record (it may have moved someone)."""

    def read() -> dict[uuid.UUID, Person]:
        wanted = {person_id}
        for record in batch.records:
            if isinstance(record, dict) and record.get("type") == VISIT:
                fields = record.get("fields")
                pid = _uuid_or_none(fields.get("person")) if isinstance(fields, dict) else None
                if pid is not None:
                    wanted.add(pid)
        rows = persons_visible_to(batch.user).filter(pk__in=wanted).select_related("household")
        return {p.pk: p for p in rows}

    return batch.memo("visits.persons", read).get(person_id)


def _visit_data(batch: Batch, record: Incoming) -> VisitData:
    """A visit record's fields, checked for shape, with its person (in the CHW's scope)."""
    values = record.fields
    errors: dict[str, list[str]] = {}
    person_id = _uuid_or_none(values.get("person"))
    person = _persons_in_scope(batch, person_id) if person_id is not None else None
    known = person is not None or (person_id is not None and Person.objects.filter(pk=person_id).exists())
    if not known:
        errors["person"] = [_("Personne inconnue : envoyez la personne avant ses visites.")]
    visit_date: date | None = None
    try:
        visit_date = date.fromisoformat(str(values.get("visit_date")))
    except ValueError:
        errors["visit_date"] = [_("Date de visite invalide : utilisez le format AAAA-MM-JJ.")]
    for name in ("findings", "measurements"):
        if not isinstance(values.get(name, {}), dict):
            errors[name] = [_("Objet JSON attendu.")]
    device_assessment = values.get("device_assessment")
    if device_assessment is not None and not isinstance(device_assessment, dict):
        errors["device_assessment"] = [_("Objet JSON attendu.")]
    if errors:
        raise ValidationError(errors)
    if person is None:
        raise PermissionDenied
    assert visit_date is not None
    return VisitData(
        person=person,
        visit_date=visit_date,
        kind=str(values.get("kind", "")),
        findings=values.get("findings") or {},
        measurements=values.get("measurements") or {},
        id=record.id,
        device_assessment=device_assessment,
    )


def _visit_result(batch: Batch, record: Incoming, outcome: Outcome) -> dict[str, Any] | Exception:
    if outcome.error is not None:
        error = outcome.error
        if isinstance(error, ValidationError) and "id" in getattr(error, "error_dict", {}):
            # The id is stored for another person: one outside the CHW's scope is not named.
            in_scope = Visit.objects.filter(
                pk=record.id, person__in=persons_visible_to(batch.user).values("pk")
            )
            if not in_scope.exists():
                return IdTaken()
        return error
    assert outcome.recorded is not None
    visit = outcome.recorded.visit
    version = outcome.recorded.version
    if version is None:  # a visit stored before: its latest change
        version = changelog.version_of(record.kind, record.id)
    result: dict[str, Any] = {
        "status": "accepted" if outcome.recorded.created else "duplicate",
        "version": version,
        "assessment_mismatch": visit.device_assessment_mismatch,
    }
    if visit.device_assessment_mismatch:
        result["assessment"] = {
            "action": visit.action,
            "urgent": visit.urgent,
            "classifications": list(visit.assessment.get("classifications", [])),
        }
    return result


def apply_visits(batch: Batch, records: Sequence[Incoming]) -> list[dict[str, Any] | Exception]:
    """A run of visit records at once (``record_home_visits``: a few statements for the whole
    run); a result, or the exception refusing it, per record, in order."""
    results: list[dict[str, Any] | Exception | None] = [None] * len(records)
    checked: list[tuple[int, Incoming, VisitData]] = []
    for i, record in enumerate(records):
        try:
            checked.append((i, record, _visit_data(batch, record)))
        except (ValidationError, PermissionDenied) as exc:
            results[i] = exc
    outcomes = record_home_visits(by=batch.user, visits=[c[2] for c in checked], in_scope=True)
    for (i, record, _data), outcome in zip(checked, outcomes, strict=True):
        results[i] = _visit_result(batch, record, outcome)
    done = [r for r in results if r is not None]
    assert len(done) == len(records), "every record of the run has its result, in order"
    return done


# --- Pull -------------------------------------------------------------------------------------
def visit_live(visit: Visit, chw_id: Any) -> bool:
    return person_live(visit.person, chw_id)


def visit_data(visit: Visit) -> dict[str, Any]:
    data = pick(visit, ("visit_date", "kind", "action", "urgent", "follow_up_days", "measurements"))
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


def _visits_in_scope(user: Any) -> Any:
    return Visit.objects.filter(person__in=persons_visible_to(user).values("pk"))


def _tasks(chw: Any) -> list[dict[str, Any]]:
    return [task.as_dict() for task in tasks_for_chw(chw=chw, on=timezone.localdate())]


VISIT_TYPE = register(
    SyncType(
        name=VISIT,
        model=Visit,
        order=30,
        direction=Direction.BOTH,
        mergeable=False,  # append-only facts: created once, never edited from a tablet
        # person, visit_date, kind, findings, measurements, device_assessment: read by
        # _visit_data (unknown fields are ignored), validated by record_home_visits.
        ops=("create",),
        apply_run=apply_visits,
        scope=_visits_in_scope,
        parent=(PERSON, "person"),
        chw="person__household__chw",
        live=visit_live,
        payload=visit_data,
        select_related=("person__household",),
    )
)
register_pull_extra("tasks", _tasks)
register_supervision_panel(
    "visits.mismatches",
    SupervisionPanel(
        template="visits/_sync_mismatches.html",
        rows=lambda user: assessment_mismatches(user=user)[:MISMATCH_ROWS],
    ),
)
