"""Recording a home visit: validate, assess with the clinical engine, store, then raise alerts.

``record_home_visit`` is the one entry point (pages, API and sync call it). The flow is explicit:
assess (``keneya.clinical.visit``) → store the visit and its observations → alerts
(``alerts.services.raise_alerts_for_visit``), which also issue the referral of an urgent visit
and queue the notifications. Sending the same visit id again returns the stored visit and
creates nothing.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.permissions import Capability, has_capability
from keneya.accounts.scope import persons_visible_to
from keneya.clinical import ENGINE_VERSION
from keneya.clinical.immunization import canonical_code
from keneya.clinical.visit import KINDS, MEASUREMENT_KEYS, assess_home_visit
from keneya.people.models import Person, VitalStatus
from keneya.visits.models import Observation, Visit

logger = logging.getLogger(__name__)


# A vaccination card seen during a visit travels in ``findings["vaccines"]``: dose code of
# ``clinical.immunization`` -> date given (ISO string), e.g. ``{"PENTA1": "2026-01-10"}``. The
# clinical engine never sees it; each entry becomes one Observation ``vaccine:PENTA1`` whose
# ``value_date`` is the date given (``visits.tasks`` reads them as the doses received).
VACCINES_FINDING = "vaccines"
VACCINE_OBSERVATION_PREFIX = "vaccine:"


def _vaccine_observations(visit: Visit, by: Any, card: object) -> list[Observation]:
    """One observation per dose of the card; ValidationError names a bad code or date."""
    if not isinstance(card, dict):
        raise ValidationError({VACCINES_FINDING: [_("La carte de vaccination doit associer "
                                                    "chaque dose à sa date.")]})
    born = visit.person.date_of_birth
    rows = []
    for raw_code, raw_date in card.items():
        try:
            code = canonical_code(raw_code)
        except ValueError:
            raise ValidationError({VACCINES_FINDING: [
                _("Dose de vaccin inconnue : %(code)s.") % {"code": raw_code}]}) from None
        try:
            given = date.fromisoformat(str(raw_date))
        except ValueError:
            raise ValidationError({VACCINES_FINDING: [
                _("%(code)s : date invalide (AAAA-MM-JJ).") % {"code": code}]}) from None
        if not born <= given <= visit.visit_date:
            raise ValidationError({VACCINES_FINDING: [
                _("%(code)s : la date doit être entre la naissance et la visite.")
                % {"code": code}]})
        rows.append(Observation(visit=visit, person_id=visit.person_id,
                                code=f"{VACCINE_OBSERVATION_PREFIX}{code}", value_date=given,
                                observed_on=visit.visit_date, recorded_by=by))
    return rows


def _observations(visit: Visit, by: Any) -> list[Observation]:
    rows = []
    for source in (visit.measurements, visit.findings):
        for code, value in source.items():
            if value is None or value is False or value == "":
                continue
            if code == VACCINES_FINDING and source is visit.findings:
                rows += _vaccine_observations(visit, by, value)
                continue
            obs = Observation(visit=visit, person_id=visit.person_id, code=code,
                              observed_on=visit.visit_date, recorded_by=by)
            if isinstance(value, bool):
                obs.value_text = "yes"
            elif isinstance(value, int | float):
                obs.value_number = float(value)
            elif code in ("lmp", "edd"):
                obs.value_date = date.fromisoformat(str(value))
            else:
                obs.value_text = str(value)[:200]
            rows.append(obs)
    return rows


def _json_safe(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


# ``facility`` not given: ``raise_alerts_for_visit`` looks the CSCom up.
LOOK_UP = object()


@dataclass(frozen=True)
class Recorded:
    """What ``store_home_visit`` did: the visit, whether it was stored now (not a resend), and
    the ``seq`` of its change-log row when stored now (its version)."""

    visit: Visit
    created: bool
    version: int | None = None


def _already_stored(existing: Visit, person: Person) -> Recorded:
    """A resent visit: the stored one, provided the id is not reused for someone else."""
    if existing.person_id != person.pk:
        raise ValidationError({"id": _("Cet identifiant de visite est déjà utilisé pour une "
                                       "autre personne.")})
    return Recorded(existing, created=False)


def record_home_visit(
    *, by: Any, person: Person, visit_date: date, kind: str,
    findings: dict[str, Any] | None = None, measurements: dict[str, Any] | None = None,
    id: uuid.UUID | None = None, device_assessment: dict[str, Any] | None = None,
) -> Visit:
    """Store a visit with the engine's assessment; raise its alerts and referral."""
    return store_home_visit(by=by, person=person, visit_date=visit_date, kind=kind,
                            findings=findings, measurements=measurements, id=id,
                            device_assessment=device_assessment).visit


def store_home_visit(
    *, by: Any, person: Person, visit_date: date, kind: str,
    findings: dict[str, Any] | None = None, measurements: dict[str, Any] | None = None,
    id: uuid.UUID | None = None, device_assessment: dict[str, Any] | None = None,
    person_in_scope: bool = False, known_new: bool = False, facility: Any = LOOK_UP,
) -> Recorded:
    """``record_home_visit``, for a caller that has already read what it needs (a sync batch).

    ``person_in_scope``: the caller checked that ``by`` sees ``person``. ``known_new``: the
    caller checked that no visit has this ``id`` (a visit stored meanwhile by another request is
    still found: the insert fails and the stored visit is returned). ``facility``: the CSCom of
    the person's health area (``alerts.services.cscom_for``), None when there is none.
    """
    if id is not None and not known_new:
        existing = Visit.objects.filter(pk=id).first()
        if existing is not None:
            return _already_stored(existing, person)
    if not has_capability(by, Capability.VISIT_RECORD):
        raise PermissionDenied
    if not person_in_scope and not persons_visible_to(by).filter(pk=person.pk).exists():
        raise PermissionDenied
    findings = dict(findings or {})
    measurements = _json_safe(dict(measurements or {}))
    errors: dict[str, list[str]] = {}
    if kind not in KINDS:
        errors["kind"] = [_("Type de visite inconnu.")]
    if visit_date > timezone.localdate():
        errors["visit_date"] = [_("La date de la visite ne peut pas être dans le futur.")]
    elif visit_date < person.date_of_birth:
        errors["visit_date"] = [_("La date de la visite est antérieure à la naissance.")]
    if person.vital_status == VitalStatus.DECEASED:
        errors["person"] = [_("Cette personne est déclarée décédée.")]
    if errors:
        raise ValidationError(errors)
    try:
        assessment = assess_home_visit(kind=kind, sex=person.sex,
                                       date_of_birth=person.date_of_birth,
                                       visit_date=visit_date,
                                       findings={k: v for k, v in findings.items()
                                                 if k != VACCINES_FINDING},
                                       measurements=measurements)
    except ValueError as exc:
        field = str(exc).split(":", 1)[0].strip()
        if field not in MEASUREMENT_KEYS and field not in ("visit_date", "kind", "sex"):
            field = "findings"
        raise ValidationError({field: [str(exc)]}) from None

    mismatch = bool(device_assessment) and (
        device_assessment.get("action") != assessment["action"]  # type: ignore[union-attr]
        or sorted(device_assessment.get("classifications", []))  # type: ignore[union-attr]
        != sorted(assessment["classifications"])
    )
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                id=id or uuid.uuid4(), person=person, household_id=person.household_id, chw=by,
                kind=kind, visit_date=visit_date, findings=findings, measurements=measurements,
                assessment=assessment, engine_version=ENGINE_VERSION,
                urgent=assessment["urgent_referral"], action=assessment["action"],
                follow_up_days=assessment["follow_up_days"],
                device_assessment_mismatch=mismatch,
            )
            Observation.objects.bulk_create(_observations(visit, by))
            from keneya.sync.changelog import record_change

            version = record_change(type="visit", obj_id=visit.pk,
                                    chw_id=person.household.chw_id)
            from keneya.alerts.services import raise_alerts_for_visit

            if facility is LOOK_UP:
                raise_alerts_for_visit(visit)
            else:
                raise_alerts_for_visit(visit, facility=facility)
    except IntegrityError:
        # The same visit id arrived twice at once: the other request stored it.
        existing = Visit.objects.filter(pk=id).first() if id else None
        if existing is None:
            raise
        return _already_stored(existing, person)
    if mismatch:
        logger.error("assessment mismatch device/server for visit %s (engine %s)", visit.pk,
                     ENGINE_VERSION)
    return Recorded(visit, created=True, version=version)


@transaction.atomic
def void_observation(*, by: Any, observation: Observation, reason: str,
                     replacement: Any = None) -> Observation | None:
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
    new = Observation(visit_id=observation.visit_id, person_id=observation.person_id,
                      code=observation.code, observed_on=observation.observed_on,
                      recorded_by=by, replaces=observation)
    if isinstance(replacement, int | float):
        new.value_number = float(replacement)
    elif isinstance(replacement, date):
        new.value_date = replacement
    else:
        new.value_text = str(replacement)[:200]
    new.save()
    return new
