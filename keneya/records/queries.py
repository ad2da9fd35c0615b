"""Shared-record reads, scoped through the person: the patient page's record and timeline, the
patient summary (banner, API, carnet), the problem list and the attached documents.

The callers (views, API) have checked that the person is in the user's scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import number_format

from keneya.accounts.scope import person_filter
from keneya.alerts.models import Alert, AlertEvent, AlertStatus
from keneya.clinical import immunization, pregnancy
from keneya.core.text import join_reasons
from keneya.people.models import Person, Sex
from keneya.people.templatetags.people_tags import age_text
from keneya.records.hooks import patient_timeline, summary_parts
from keneya.records.models import Consultation, Problem, ProblemStatus, RecordDocument
from keneya.referrals.models import OPEN_STATUSES, Referral, ReferralEvent, ReferralStatus
from keneya.visits.models import Observation, Visit
from keneya.visits.services import VACCINE_OBSERVATION_PREFIX


def consultations_visible_to(user: Any) -> QuerySet[Consultation]:
    persons = Person.objects.filter(person_filter(user)).values("pk")
    return Consultation.objects.filter(person__in=persons).select_related("facility", "clinician")


_KIND_ORDER = {"visit": 0, "alert": 1, "referral": 2, "consultation": 3, "document": 4}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "visit", "alert", "referral", "consultation", "document", or an app's ("hooked")
    item: Any


@dataclass(frozen=True)
class PatientRecord:
    visits: list[Visit]
    alerts: list[Alert]
    referrals: list[Referral]
    consultations: list[Consultation]
    documents: list[RecordDocument] = field(default_factory=list)
    # The apps above records (lab, pharmacy...): ``patient_timeline`` dicts.
    hooked: list[dict[str, Any]] = field(default_factory=list)

    @property
    def timeline(self) -> list[TimelineEntry]:
        """Everything that happened to the person at any facility, newest first."""
        entries = [TimelineEntry(v.recorded_at, "visit", v) for v in self.visits]
        entries += [TimelineEntry(a.raised_at, "alert", a) for a in self.alerts]
        entries += [TimelineEntry(r.issued_at, "referral", r) for r in self.referrals]
        entries += [TimelineEntry(c.consulted_at, "consultation", c) for c in self.consultations]
        entries += [TimelineEntry(d.uploaded_at, "document", d) for d in self.documents]
        entries += [TimelineEntry(h["at"], "hooked", h) for h in self.hooked if h.get("at")]
        # Same instant (a visit and the alert and referral it raised): cause below effect.
        return sorted(entries, key=lambda e: (e.at, _KIND_ORDER.get(e.kind, 5)), reverse=True)

    @property
    def pending_referrals(self) -> list[Referral]:
        return [r for r in self.referrals if r.status in (*OPEN_STATUSES, ReferralStatus.NOT_ARRIVED)]


def patient_record(*, person: Person, user: Any = None) -> PatientRecord:
    """The person's whole record for the patient page, in a fixed number of queries (plus the
    ``patient_timeline`` receivers' when ``user`` is given).

    The caller has checked that the person is in the user's scope.
    """
    hooked = [entry for part in patient_timeline(user, person) for entry in part] if user else []
    return PatientRecord(
        visits=list(
            Visit.objects.filter(person=person).select_related("chw").order_by("-visit_date", "-recorded_at")
        ),
        alerts=list(
            Alert.objects.filter(person=person)
            .select_related("facility")
            .prefetch_related(Prefetch("events", queryset=AlertEvent.objects.select_related("by")))
            .order_by("-raised_at")
        ),
        referrals=list(
            Referral.objects.filter(person=person)
            .select_related("to_facility", "from_facility", "issued_by")
            .prefetch_related(Prefetch("events", queryset=ReferralEvent.objects.select_related("by")))
            .order_by("-issued_at")
        ),
        consultations=list(
            Consultation.objects.filter(person=person)
            .select_related("facility", "clinician")
            .prefetch_related("diagnoses")
            .order_by("-consulted_at")
        ),
        documents=list(documents_of(person)),
        hooked=hooked,
    )


# --- The problem list and the documents --------------------------------------------------------------


def problems_of(person: Person, *, include_voided: bool = False) -> QuerySet[Problem]:
    """The person's problem list: active first, then resolved, newest first within each."""
    problems = Problem.objects.filter(person=person).select_related("facility", "recorded_by")
    if not include_voided:
        problems = problems.filter(voided_at__isnull=True)
    return problems.order_by("status", "-onset", "-recorded_at")


def problem_history(person: Person) -> list[Problem]:
    """Every row ever written on the list (the voided and replaced ones too), newest first."""
    return list(
        Problem.objects.filter(person=person)
        .select_related("facility", "recorded_by", "voided_by")
        .order_by("-recorded_at")
    )


def documents_of(person: Person) -> QuerySet[RecordDocument]:
    return (
        RecordDocument.objects.filter(person=person, voided_at__isnull=True)
        .select_related("facility", "uploaded_by")
        .order_by("-uploaded_at")
    )


# --- The patient summary ---------------------------------------------------------------------------

# The keys every summary carries, whatever the apps installed (their default when no app fills them).
SUMMARY_LIST_KEYS = (
    "problems",
    "allergies",
    "medications",
    "recent_lab_results",
    "coverage",
    "open_alerts",
    "open_referrals",
)
SUMMARY_ONE_KEYS = ("last_vitals", "last_weight", "pregnancy")
# A pregnancy dated by a visit older than this is not shown (it has ended, or was not followed).
PREGNANCY_LOOKBACK_DAYS = 44 * 7
PREGNANCY_AGES = (10, 55)

VITAL_LABELS: tuple[tuple[str, str, str], ...] = (
    ("systolic_bp", "TA", "mmHg"),
    ("weight_kg", "Poids", "kg"),
    ("temperature_c", "T°", "°C"),
    ("heart_rate", "Pouls", "/min"),
    ("respiratory_rate", "FR", "/min"),
    ("spo2", "SpO2", "%"),
    ("height_cm", "Taille", "cm"),
    ("muac_mm", "PB", "mm"),
)
_VITAL_FIELDS = (
    "temperature_c",
    "weight_kg",
    "height_cm",
    "respiratory_rate",
    "heart_rate",
    "systolic_bp",
    "diastolic_bp",
    "spo2",
    "muac_mm",
)


def _fr_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _number(value: Any) -> str:
    if isinstance(value, Decimal | float):
        return number_format(value.normalize() if isinstance(value, Decimal) else round(value, 1))
    return str(value)


def problem_entry(problem: Problem) -> dict[str, Any]:
    since = f", depuis le {_fr_date(problem.onset)}" if problem.onset else ""
    resolved = f", résolu le {_fr_date(problem.resolved_on)}" if problem.resolved_on else ""
    return {
        "id": problem.pk,
        "icd10_code": problem.icd10_code,
        "name": problem.label,
        "onset": problem.onset,
        "status": problem.status,
        "resolved_on": problem.resolved_on,
        "note": problem.note,
        "facility": problem.facility.name,
        "recorded_by": problem.recorded_by.get_full_name() or problem.recorded_by.username,
        "recorded_at": problem.recorded_at,
        "replaces": problem.replaces_id,
        "label": f"{problem.label} ({problem.icd10_code}){since}{resolved}",
    }


def _vitals_entry(consultation: Consultation) -> dict[str, Any]:
    values = {f: getattr(consultation, f) for f in _VITAL_FIELDS if getattr(consultation, f) is not None}
    parts = []
    for key, name, unit in VITAL_LABELS:
        if key not in values:
            continue
        if key == "systolic_bp":
            diastolic = values.get("diastolic_bp")
            value = f"{values[key]}/{diastolic}" if diastolic is not None else str(values[key])
        else:
            value = _number(values[key])
        parts.append(f"{name} {value} {unit}")
    on = timezone.localtime(consultation.consulted_at).date()
    return {
        "at": consultation.consulted_at,
        "date": on,
        "facility": consultation.facility.name,
        "source": "consultation",
        **{k: (float(v) if isinstance(v, Decimal) else v) for k, v in values.items()},
        "label": f"{' · '.join(parts)} ({_fr_date(on)}, {consultation.facility.name})",
    }


def _measured(consultation: Consultation) -> bool:
    return any(getattr(consultation, f) is not None for f in _VITAL_FIELDS)


def last_vitals(person: Person, *, consultations: list[Consultation] | None = None) -> dict[str, Any] | None:
    """The vitals of the person's latest consultation that measured any (any facility).
    ``consultations``: the person's consultations already read, newest first (no query)."""
    if consultations is not None:
        latest = next((c for c in consultations if _measured(c)), None)
        return _vitals_entry(latest) if latest is not None else None
    measured = Q()
    for key in _VITAL_FIELDS:
        measured |= Q(**{f"{key}__isnull": False})
    consultation = (
        Consultation.objects.filter(measured, person=person)
        .select_related("facility")
        .order_by("-consulted_at")
        .first()
    )
    return _vitals_entry(consultation) if consultation is not None else None


def _weight_of(measurements: Any) -> float | None:
    try:
        weight = float((measurements or {})["weight_kg"])
    except (TypeError, ValueError, KeyError):
        return None
    return weight if weight > 0 else None


def last_weight(
    person: Person, *, consultations: list[Consultation] | None = None, visits: list[Visit] | None = None
) -> dict[str, Any] | None:
    """The latest weight, from a consultation or a CHW's home visit, with its date and source.
    ``consultations`` and ``visits``: already read, newest first (no query)."""
    candidates: list[tuple[date, float, str, str]] = []
    if consultations is not None:
        weighed = next((c for c in consultations if c.weight_kg is not None), None)
        found = (weighed.weight_kg, weighed.consulted_at, weighed.facility.name) if weighed else None
    else:
        found = (
            Consultation.objects.filter(person=person, weight_kg__isnull=False)
            .order_by("-consulted_at")
            .values_list("weight_kg", "consulted_at", "facility__name")
            .first()
        )
    if found is not None:
        weight, at, facility = found
        candidates.append((timezone.localtime(at).date(), float(weight or 0), "consultation", facility))
    if visits is not None:
        visit_row = next(
            ((v.measurements, v.visit_date) for v in visits if _weight_of(v.measurements) is not None), None
        )
    else:
        visit_row = (
            Visit.objects.filter(person=person, measurements__weight_kg__isnull=False)
            .order_by("-visit_date", "-recorded_at")
            .values_list("measurements", "visit_date")
            .first()
        )
    if visit_row is not None and (kg := _weight_of(visit_row[0])) is not None:
        candidates.append((visit_row[1], kg, "visit", "visite à domicile"))
    if not candidates:
        return None
    on, kg, source, where = max(candidates, key=lambda c: (c[0], c[2] == "consultation"))
    return {
        "kg": kg,
        "date": on,
        "source": source,
        "label": f"Poids {_number(kg)} kg ({_fr_date(on)}, {where})",
    }


def pregnancy_status(person: Person, *, today: date) -> dict[str, Any] | None:
    """A woman of child-bearing age whose latest visit dated a pregnancy (LMP or EDD) and who
    has had no postnatal visit since: the gestational age today and the due date."""
    if person.sex != Sex.FEMALE:
        return None
    years = (today - person.date_of_birth).days / 365.25
    if not PREGNANCY_AGES[0] <= years <= PREGNANCY_AGES[1]:
        return None
    since = today - timedelta(days=PREGNANCY_LOOKBACK_DAYS)
    rows = list(
        Observation.objects.filter(
            person=person,
            code__in=("lmp", "edd"),
            voided_at__isnull=True,
            observed_on__gte=since,
            observed_on__lte=today,
            value_date__isnull=False,
        )
        .order_by("-observed_on", "-recorded_at")
        .values_list("code", "value_date", "observed_on")[:4]
    )
    if not rows:
        return None
    last_day = rows[0][2]
    dating = {code: value for code, value, on in reversed(rows) if on == last_day}
    try:
        ga = pregnancy.gestational_age(on=today, lmp=dating.get("lmp"), edd=dating.get("edd"))
    except ValueError:
        return None
    start = ga.edd - timedelta(days=pregnancy.PREGNANCY_LENGTH_DAYS)
    if Visit.objects.filter(person=person, kind="postnatal", visit_date__gt=start).exists():
        return None
    return {
        "weeks": ga.weeks,
        "days": ga.extra_days,
        "edd": ga.edd,
        "label": f"Enceinte : {ga.weeks} SA + {ga.extra_days} j, terme prévu le {_fr_date(ga.edd)}",
    }


def _alert_entry(a: Alert) -> dict[str, Any]:
    return {
        "id": a.pk,
        "priority": a.priority,
        "status": a.status,
        "raised_at": a.raised_at,
        "facility": a.facility.name if a.facility_id else "",
        "label": f"Alerte {a.get_priority_display().lower()} du "
        f"{_fr_date(timezone.localtime(a.raised_at).date())} : {join_reasons(a.title)}",
    }


def open_alerts(person: Person, *, alerts: list[Alert] | None = None) -> list[dict[str, Any]]:
    if alerts is None:
        alerts = list(
            Alert.objects.filter(person=person)
            .exclude(status=AlertStatus.CLOSED)
            .select_related("facility")
            .order_by("-raised_at")
        )
    return [_alert_entry(a) for a in alerts if a.status != AlertStatus.CLOSED]


_PENDING_REFERRAL = (*OPEN_STATUSES, ReferralStatus.NOT_ARRIVED)


def open_referrals(person: Person, *, referrals: list[Referral] | None = None) -> list[dict[str, Any]]:
    if referrals is None:
        referrals = list(
            Referral.objects.filter(person=person, status__in=_PENDING_REFERRAL)
            .select_related("to_facility")
            .order_by("-issued_at")
        )
    return [
        {
            "id": r.pk,
            "status": r.status,
            "issued_at": r.issued_at,
            "to_facility": r.to_facility.name,
            "label": f"Référé·e vers {r.to_facility.name} le "
            f"{_fr_date(timezone.localtime(r.issued_at).date())} ({r.get_status_display().lower()})",
        }
        for r in referrals
        if r.status in _PENDING_REFERRAL
    ]


def identity(person: Person, *, today: date) -> dict[str, Any]:
    household = person.household
    chw = household.chw
    identifiers = [
        {"scheme": scheme, "number": number, "label": f"{name} n° {number}"}
        for scheme, name, number in (
            ("ramed", "RAMED", person.ramed_number),
            ("mutuelle", "Mutuelle", person.mutuelle_number),
        )
        if number
    ]
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "sex": person.sex,
        "sex_label": person.get_sex_display(),
        "date_of_birth": person.date_of_birth,
        "date_of_birth_estimated": person.date_of_birth_estimated,
        "age": age_text(person.date_of_birth, today),
        "vital_status": person.vital_status,
        "household": {"id": household.pk, "code": household.code, "quartier": household.quartier.name},
        "chw": (
            {"name": chw.get_full_name() or chw.username, "phone": getattr(chw, "phone", "") or ""}
            if chw is not None
            else None
        ),
        "identifiers": identifiers,
    }


def patient_summary(
    user: Any, person: Person, *, today: date | None = None, record: PatientRecord | None = None
) -> dict[str, Any]:
    """The patient summary: identity, household and CHW, active problems, last vitals and
    weight, pregnancy, open alerts and referrals, and what the apps above add through
    ``summary_parts`` (allergies, medications, lab results, coverage). Every key of
    ``SUMMARY_LIST_KEYS`` and ``SUMMARY_ONE_KEYS`` is present (``[]`` or ``None`` when nothing
    supplies it), so the shape is stable whatever the apps installed.

    ``person`` comes with ``household__quartier`` and ``household__chw`` (one query fewer each);
    ``record`` (the patient page's ``patient_record``) saves the queries it already made. The
    caller has checked the scope and the capability.
    """
    today = today or timezone.localdate()
    problems = [problem_entry(p) for p in problems_of(person)]
    summary: dict[str, Any] = {
        **dict.fromkeys(SUMMARY_LIST_KEYS, None),
        "person": identity(person, today=today),
        "problems": [p for p in problems if p["status"] == ProblemStatus.ACTIVE],
        "resolved_problems": [p for p in problems if p["status"] == ProblemStatus.RESOLVED],
        "last_vitals": last_vitals(person, consultations=record.consultations if record else None),
        "last_weight": last_weight(
            person,
            consultations=record.consultations if record else None,
            visits=record.visits if record else None,
        ),
        "pregnancy": pregnancy_status(person, today=today),
        "open_alerts": open_alerts(person, alerts=record.alerts if record else None),
        "open_referrals": open_referrals(person, referrals=record.referrals if record else None),
    }
    for part in summary_parts(user, person):
        summary.update(part or {})
    for key in SUMMARY_LIST_KEYS:
        if summary.get(key) is None:
            summary[key] = []
    for key in SUMMARY_ONE_KEYS:
        summary.setdefault(key, None)
    return summary


# The banner's order and French headings (the keys an app adds that are not here come last,
# under their own name).
BANNER_SECTIONS: tuple[tuple[str, str], ...] = (
    ("coverage", "Couverture"),
    ("allergies", "Allergies"),
    ("problems", "Problèmes actifs"),
    ("medications", "Traitement en cours"),
    ("pregnancy", "Grossesse"),
    ("last_vitals", "Dernières constantes"),
    ("last_weight", "Dernier poids"),
    ("recent_lab_results", "Derniers examens"),
    ("open_alerts", "Alertes ouvertes"),
    ("open_referrals", "Références en cours"),
)
_NOT_IN_BANNER = {"person", "resolved_problems"}
_BANNER_EMPTY = {
    "allergies": "non renseigné",
    "coverage": "Aucune couverture : dépistage conseillé",
    "problems": "aucun",
}


def banner_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The summary as the banner shows it: each key with its heading and its items' labels (a
    list's items, or the one dict), empty keys with "—" (the allergies: "non renseigné")."""
    rows = []
    known = dict(BANNER_SECTIONS)
    keys = [k for k, _ in BANNER_SECTIONS] + sorted(
        k for k in summary if k not in known and k not in _NOT_IN_BANNER
    )
    vitals, weight = summary.get("last_vitals"), summary.get("last_weight")
    for key in keys:
        value = summary.get(key)
        if (
            key == "last_weight"
            and isinstance(vitals, dict)
            and isinstance(weight, dict)
            and vitals.get("weight_kg") is not None
            and vitals.get("date") == weight.get("date")
        ):
            continue  # the same weighing, already in the vitals' line
        if isinstance(value, dict):
            items = [value]
        elif isinstance(value, list | tuple):
            items = [v for v in value if isinstance(v, dict)]
        else:
            items = []
        labels = [str(item.get("label", "")) for item in items if item.get("label")]
        if not labels and key == "coverage":
            # No coverage known (or not shown to this role): the card numbers typed at registration.
            labels = [i["label"] for i in (summary.get("person") or {}).get("identifiers", [])]
        if not labels and key in ("pregnancy", "open_alerts", "open_referrals", "recent_lab_results"):
            continue  # nothing to say: not shown
        rows.append(
            {
                "key": key,
                "title": known.get(key, key.replace("_", " ").capitalize()),
                "labels": labels,
                "empty": _BANNER_EMPTY.get(key, "—"),
                "warn": key in ("allergies", "open_alerts") and bool(labels),
            }
        )
    return rows


# --- The printed carnet ----------------------------------------------------------------------------


def vaccinations(person: Person) -> list[dict[str, Any]]:
    """The vaccine doses recorded from the child's card (home visits), oldest first."""
    rows = (
        Observation.objects.filter(
            person=person, code__startswith=VACCINE_OBSERVATION_PREFIX, voided_at__isnull=True
        )
        .order_by("value_date", "observed_on")
        .values_list("code", "value_date", "observed_on")
    )
    seen: dict[str, dict[str, Any]] = {}
    for code, given_on, observed_on in rows:
        raw = code.removeprefix(VACCINE_OBSERVATION_PREFIX)
        try:
            canonical = immunization.canonical_code(raw)
            name = immunization.DOSES[canonical].label_fr
        except ValueError:
            canonical, name = raw, raw
        seen.setdefault(canonical, {"code": canonical, "date": given_on or observed_on, "label": name})
    return list(seen.values())


def recent_visits(person: Person, *, limit: int = 6) -> list[dict[str, Any]]:
    """The last consultations (any facility) and home visits, newest first, as carnet lines."""
    consultations = (
        Consultation.objects.filter(person=person)
        .select_related("facility")
        .prefetch_related("diagnoses")
        .order_by("-consulted_at")[:limit]
    )
    visits = Visit.objects.filter(person=person).order_by("-visit_date", "-recorded_at")[:limit]
    lines: list[dict[str, Any]] = [
        {
            "date": timezone.localtime(c.consulted_at).date(),
            "where": c.facility.name,
            "what": "Consultation",
            "detail": " ; ".join(f"{d.label} ({d.icd10_code})" for d in c.diagnoses.all()) or c.complaint,
        }
        for c in consultations
    ]
    lines += [
        {
            "date": v.visit_date,
            "where": "Visite à domicile",
            "what": v.get_kind_display(),
            "detail": (v.assessment or {}).get("summary_fr", ""),
        }
        for v in visits
    ]
    return sorted(lines, key=lambda line: line["date"], reverse=True)[:limit]
