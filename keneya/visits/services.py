"""Recording home visits: validate, assess with the clinical engine, store, then raise alerts.

``record_home_visits`` is the one write path: the pages and the API record one visit through
``record_home_visit``, a tablet's batch goes through it whole (``sync.incoming``). The flow is
explicit: assess (``keneya.clinical.visit``, pure) → store the visits, their observations and
change-log rows → alerts (``alerts.services.raise_alerts_for_visits``), which also issue the
referrals of urgent visits and queue the notifications. It is set-based: a batch of 50 visits
costs about as many statements as one. Sending the same visit id again returns the stored
visit and creates nothing.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.permissions import Capability, has_capability
from keneya.clinical import ENGINE_VERSION
from keneya.clinical.immunization import canonical_code
from keneya.clinical.visit import KINDS, assess_home_visit
from keneya.core.bulk import insert_new, insert_rows
from keneya.core.errors import IdTaken
from keneya.core.ids import uuid7
from keneya.people.models import Person, VitalStatus
from keneya.people.scope import persons_visible_to
from keneya.sync.changelog import record_changes_for, streams_locked
from keneya.visits.hooks import VisitToCheck, visits_stored
from keneya.visits.models import Observation, Visit
from keneya.visits.queries import (
    WEIGHINGS_WINDOW,
    is_weighed_for_growth,
    weighings,
    weights_until,
)
from keneya.visits.validation import clean_visit_input

logger = logging.getLogger(__name__)
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,59}")


# A vaccination card seen during a visit travels in ``findings["vaccines"]``: dose code of
# ``clinical.immunization`` -> date given (ISO string), e.g. ``{"PENTA1": "2026-01-10"}``. The
# clinical engine never sees it; each entry becomes one Observation ``vaccine:PENTA1`` whose
# ``value_date`` is the date given (``visits.worklist`` reads them as the doses received).
VACCINES_FINDING = "vaccines"
VACCINE_OBSERVATION_PREFIX = "vaccine:"


def _vaccine_observations(visit: Visit, by: Any, card: object) -> list[dict[str, Any]]:
    """One observation per dose of the card; ValidationError names a bad code or date."""
    if not isinstance(card, dict):
        raise ValidationError(
            {VACCINES_FINDING: [_("La carte de vaccination doit associer chaque dose à sa date.")]}
        )
    born = visit.person.date_of_birth
    rows = []
    for raw_code, raw_date in card.items():
        try:
            code = canonical_code(raw_code)
        except ValueError:
            raise ValidationError(
                {VACCINES_FINDING: [_("Dose de vaccin inconnue : %(code)s.") % {"code": raw_code}]}
            ) from None
        try:
            given = date.fromisoformat(str(raw_date))
        except ValueError:
            raise ValidationError(
                {VACCINES_FINDING: [_("%(code)s : date invalide (AAAA-MM-JJ).") % {"code": code}]}
            ) from None
        if not born <= given <= visit.visit_date:
            raise ValidationError(
                {
                    VACCINES_FINDING: [
                        _("%(code)s : la date doit être entre la naissance et la visite.") % {"code": code}
                    ]
                }
            )
        rows.append(
            {
                "visit_id": visit.pk,
                "person_id": visit.person_id,
                "code": f"{VACCINE_OBSERVATION_PREFIX}{code}",
                "value_date": given,
                "observed_on": visit.visit_date,
                "recorded_by_id": by.pk,
            }
        )
    return rows


def _observations(visit: Visit, by: Any) -> list[dict[str, Any]]:
    """The visit's observations as rows for ``core.bulk.insert_rows``: a batch writes hundreds,
    and a model instance each would cost more than the row."""
    rows = []
    for source in (visit.measurements, visit.findings):
        for code, value in source.items():
            if value is None or value is False or value == "":
                continue
            if code == VACCINES_FINDING and source is visit.findings:
                rows += _vaccine_observations(visit, by, value)
                continue
            value_of: dict[str, Any]
            if isinstance(value, bool):
                value_of = {"value_text": "yes"}
            elif isinstance(value, int | float):
                value_of = {"value_number": float(value)}
            elif code in ("lmp", "edd"):
                value_of = {"value_date": date.fromisoformat(str(value))}
            else:
                value_of = {"value_text": str(value)[:200]}
            rows.append(
                {
                    "visit_id": visit.pk,
                    "person_id": visit.person_id,
                    "code": code,
                    "observed_on": visit.visit_date,
                    "recorded_by_id": by.pk,
                    **value_of,
                }
            )
    return rows


def _json_safe(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


@dataclass(frozen=True)
class VisitData:
    """One visit to record, as a form, the API or a tablet sends it. ``person`` comes with its
    household (for the CHW's stream and the CSCom of its quartier)."""

    person: Person
    visit_date: date
    kind: str
    findings: dict[str, Any] = field(default_factory=dict)
    measurements: dict[str, Any] = field(default_factory=dict)
    id: uuid.UUID | None = None
    device_assessment: dict[str, Any] | None = None


@dataclass(frozen=True)
class Recorded:
    """What became of a visit: the visit, whether it was stored now (not a resend), and the
    ``seq`` of its change-log row when stored now (its version)."""

    visit: Visit
    created: bool
    version: int | None = None


@dataclass(frozen=True)
class Outcome:
    """One visit of a set: recorded (``recorded``), or refused (``error``: a ValidationError
    naming the fields, or PermissionDenied)."""

    recorded: Recorded | None = None
    error: ValidationError | PermissionDenied | None = None


def _resent(existing: Visit, person: Person, *, version: int | None = None) -> Outcome:
    """A resent visit: the stored one, provided the id is not reused for someone else.

    The person was checked in the caller's scope: the stored visit of that same person is one
    the caller may read. A visit id of anyone else is ``IdTaken``, the same answer whoever it is.
    """
    if existing.person_id != person.pk:
        return Outcome(error=IdTaken())
    return Outcome(Recorded(existing, created=False, version=version))


def record_home_visit(
    *,
    by: Any,
    person: Person,
    visit_date: date,
    kind: str,
    findings: dict[str, Any] | None = None,
    measurements: dict[str, Any] | None = None,
    id: uuid.UUID | None = None,
    device_assessment: dict[str, Any] | None = None,
) -> Visit:
    """Store a visit with the engine's assessment; raise its alerts and referral."""
    [outcome] = record_home_visits(
        by=by,
        visits=[
            VisitData(
                person=person,
                visit_date=visit_date,
                kind=kind,
                findings=findings or {},
                measurements=measurements or {},
                id=id,
                device_assessment=device_assessment,
            )
        ],
    )
    if outcome.error is not None:
        raise outcome.error
    assert outcome.recorded is not None
    return outcome.recorded.visit


def record_home_visits(*, by: Any, visits: Sequence[VisitData], in_scope: bool = False) -> list[Outcome]:
    """Record a set of visits by ``by`` (a tablet's batch, or one visit): one outcome each.

    Set-based: the statements do not grow with the number of visits (the stored ids, the
    visits, their observations, their change-log rows, the weighings for the growth rule, then
    what the alerts need). All or nothing: the visits refused are left out before anything is
    written, and an unexpected error rolls back the whole set. ``in_scope``: the caller has
    checked that ``by`` sees every person (a sync batch reads them in scope).
    """
    if not visits:
        return []
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _record(by, visits, in_scope=in_scope)
        except IntegrityError:
            # The same visit id stored meanwhile by a request that did not wait for our CHW
            # lock (a household with no CHW): once more, and it is now a resend.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _record(by: Any, visits: Sequence[VisitData], *, in_scope: bool) -> list[Outcome]:
    if not has_capability(by, Capability.VISIT_RECORD):
        return [Outcome(error=PermissionDenied()) for _visit in visits]
    outcomes: list[Outcome | None] = [None] * len(visits)
    if not in_scope:
        visible = set(
            persons_visible_to(by).filter(pk__in={v.person.pk for v in visits}).values_list("pk", flat=True)
        )
        for i, data in enumerate(visits):
            if data.person.pk not in visible:
                outcomes[i] = Outcome(error=PermissionDenied())
    # Lock the CHWs' streams before looking for stored ids: a concurrent resend of the same
    # visits waits for this transaction, then finds them.
    with streams_locked({v.person.household.chw_id for v in visits}):
        return _record_locked(by, visits, outcomes)


def _record_locked(by: Any, visits: Sequence[VisitData], outcomes: list[Outcome | None]) -> list[Outcome]:
    """``_record`` once the streams are locked; ``outcomes``: the visits already refused."""
    ids = [v.id for v in visits if v.id is not None]
    stored = Visit.objects.order_by().in_bulk(ids) if ids else {}
    new: list[tuple[int, Visit, list[dict[str, Any]]]] = []
    first_of: dict[uuid.UUID, int] = {}  # a visit id sent twice in the set: its first place
    again: list[int] = []
    for i, data in enumerate(visits):
        if outcomes[i] is not None:
            continue
        if data.id is not None and data.id in stored:
            outcomes[i] = _resent(stored[data.id], data.person)
        elif data.id is not None and data.id in first_of:
            again.append(i)
        else:
            try:
                visit, observations = _prepare(by, data)
            except ValidationError as exc:
                outcomes[i] = Outcome(error=exc)
                continue
            new.append((i, visit, observations))
            first_of[visit.pk] = i
    if new:
        created = _store(by, [(visit, observations) for _i, visit, observations in new])
        for (i, _visit, _observations), recorded in zip(new, created, strict=True):
            outcomes[i] = Outcome(recorded)
    for i in again:
        first = outcomes[first_of[visits[i].id]]  # type: ignore[index]
        assert first is not None and first.recorded is not None
        outcomes[i] = _resent(first.recorded.visit, visits[i].person, version=first.recorded.version)
    done = [outcome for outcome in outcomes if outcome is not None]
    assert len(done) == len(visits), "every visit of the set has its outcome, in order"
    return done


def _prepare(by: Any, data: VisitData) -> tuple[Visit, list[dict[str, Any]]]:
    """Check and assess one visit (no database): the unsaved visit and its observations."""
    person = data.person
    errors: dict[str, list[str]] = {}
    if data.kind not in KINDS:
        errors["kind"] = [_("Type de visite inconnu.")]
    if not isinstance(data.visit_date, date):
        errors["visit_date"] = [_("Date invalide : utilisez le format AAAA-MM-JJ.")]
    elif data.visit_date > timezone.localdate():
        errors["visit_date"] = [_("La date de la visite ne peut pas être dans le futur.")]
    elif data.visit_date < person.date_of_birth:
        errors["visit_date"] = [_("La date de la visite est antérieure à la naissance.")]
    if person.vital_status == VitalStatus.DECEASED:
        errors["person"] = [_("Cette personne est déclarée décédée.")]
    if errors:
        raise ValidationError(errors)
    # One validation per field, whatever the path (form, API, tablet): visits.validation.
    findings, measurements = clean_visit_input(
        kind=data.kind, findings=data.findings, measurements=data.measurements, visit_date=data.visit_date
    )
    measurements = _json_safe(measurements)
    try:
        assessment = assess_home_visit(
            kind=data.kind,
            sex=person.sex,
            date_of_birth=person.date_of_birth,
            visit_date=data.visit_date,
            findings={k: v for k, v in findings.items() if k != VACCINES_FINDING},
            measurements=measurements,
        )
    except ValueError as exc:
        # The engine's message is English and may quote the value: named by its field, in
        # French, never echoing what was sent.
        field_name = str(exc).split(":", 1)[0].strip()
        if not _FIELD_NAME.fullmatch(field_name):
            field_name = "findings"
        raise ValidationError(
            {
                field_name: [
                    _("Valeur impossible ou contradictoire avec une autre réponse : vérifiez la saisie.")
                ]
            }
        ) from None
    mismatch = _disagrees(data.device_assessment, assessment)
    visit = Visit(
        id=data.id or uuid7(),
        person=person,
        household_id=person.household_id,
        chw=by,
        kind=data.kind,
        visit_date=data.visit_date,
        findings=findings,
        measurements=measurements,
        assessment=assessment,
        engine_version=ENGINE_VERSION,
        urgent=assessment["urgent_referral"],
        action=assessment["action"],
        follow_up_days=assessment["follow_up_days"],
        device_assessment_mismatch=mismatch,
    )
    return visit, _observations(visit, by)


def _disagrees(device: Any, assessment: dict[str, Any]) -> bool:
    """Whether the tablet's own assessment (as sent) differs from the server's; one that is not
    an assessment at all (a tablet's bug) counts as a disagreement, never as an error."""
    if not device:
        return False
    if not isinstance(device, dict):
        return True
    classifications = device.get("classifications", [])
    if not isinstance(classifications, list) or not all(isinstance(c, str) for c in classifications):
        return True
    return bool(
        device.get("action") != assessment["action"]
        or sorted(classifications) != sorted(assessment["classifications"])
    )


def _store(by: Any, new: list[tuple[Visit, list[dict[str, Any]]]]) -> list[Recorded]:
    """Write checked visits: visits, observations and change-log rows in one INSERT each,
    then their alerts, referrals and notifications."""
    visits = [visit for visit, _observations in new]
    insert_new(visits)
    insert_rows(Observation, [o for _visit, observations in new for o in observations])
    versions = record_changes_for([(visit.person.household.chw_id, "visit", visit.pk) for visit in visits])
    weighed = [v for v in visits if is_weighed_for_growth(v)]
    history = (
        weighings(
            person_ids={v.person_id for v in weighed},
            since=min(v.visit_date for v in weighed) - WEIGHINGS_WINDOW,
            until=max(v.visit_date for v in weighed),
        )
        if weighed
        else {}
    )
    visits_stored(
        [
            VisitToCheck(
                visit,
                weights_until(history.get(visit.person_id, []), visit.visit_date)
                if is_weighed_for_growth(visit)
                else [],
            )
            for visit in visits
        ]
    )
    for visit in visits:
        if visit.device_assessment_mismatch:
            logger.error(
                "assessment mismatch device/server for visit %s (engine %s)", visit.pk, ENGINE_VERSION
            )
    return [
        Recorded(visit, created=True, version=version)
        for visit, version in zip(visits, versions, strict=True)
    ]


@transaction.atomic
def void_observation(
    *, by: Any, observation: Observation, reason: str, replacement: Any = None
) -> Observation | None:
    """Correct a measurement: the old value is voided (kept), a new one replaces it."""
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez pourquoi la valeur est corrigée.")})
    if observation.voided_at is not None:
        raise ValidationError({"observation": _("Cette valeur a déjà été corrigée.")})
    if not persons_visible_to(by).filter(pk=observation.person_id).exists():
        raise PermissionDenied
    observation.voided_at = timezone.now()
    observation.voided_by = by
    observation.void_reason = reason.strip()[:200]
    observation.save(update_fields=["voided_at", "voided_by", "void_reason"])
    if replacement is None:
        return None
    new = Observation(
        visit_id=observation.visit_id,
        person_id=observation.person_id,
        code=observation.code,
        observed_on=observation.observed_on,
        recorded_by=by,
        replaces=observation,
    )
    if isinstance(replacement, int | float):
        new.value_number = float(replacement)
    elif isinstance(replacement, date):
        new.value_date = replacement
    else:
        new.value_text = str(replacement)[:200]
    new.save()
    return new
