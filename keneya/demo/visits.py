"""Six months of home visits for the demo district, and what the closed loop made of them.

Planning is pure Python and seeded (``plan_closed_loop``); writing is bulk (``write_closed_loop``).

What is planned, for the households of the registry seed (``Subjects`` collects them):

- monthly follow-ups of most children under 5: weight and MUAC every month, length/height every
  third month, drawn around the WHO medians (``clinical.growth`` LMS tables) with stunting, some
  wasting and a few growth-faltering curves;
- sick-child visits (iCCM): mostly cough and colds, diarrhoea, RDT+ malaria treated at home; some
  with danger signs (chest indrawing, convulsions, unable to drink, MUAC red…); a few sick young
  infants;
- pregnancy visits (LMP) for the mothers of the babies born in the window and for women pregnant
  today; postnatal visits of some newborns and their mothers.

Every visit stores the real engine result (``clinical.visit.assess_home_visit``). Alerts follow the
rules (``alerts.rules.matching_rules`` with the same ``VisitFacts`` as ``raise_alerts_for_visits``,
routed to the CSCom of the health area) and every urgent visit issues its referral. What happened
next (acknowledgement, escalation after 2 h, convocation, arrival, consultation with ICD-10
diagnoses, "not arrived" after 24 h and its follow-up alert, counter-referral, closing, deaths,
families who moved) is planned as intentions with seeded delays, then played in time order with
the services' rules (``_Story``) up to "now": recent alerts are still open, old ones closed. A few
scripted stories make sure every CSCom inbox shows a fresh urgent alert, an escalated one, an
acknowledged one and a convoked one, and that every close reason occurs.

Determinism: ids are ``uuid5`` names and every random draw is made before "now" is looked at, so
the same seed and the same date give the same visits, alerts, referrals and ids; only how far the
most recent stories have got depends on the time of day.
"""

from __future__ import annotations

import heapq
import math
import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from itertools import count
from typing import Any

from keneya.alerts.models import PRIORITY_RANK, AlertStatus, CloseReason, Priority
from keneya.alerts.rules import REFERRAL_NOT_ARRIVED, AlertRule, VisitFacts, matching_rules
from keneya.clinical import ENGINE_VERSION
from keneya.clinical.ages import age_days, completed_months
from keneya.clinical.growth import tables
from keneya.clinical.visit import assess_home_visit
from keneya.core.text import join_reasons
from keneya.demo import district
from keneya.demo.generate import DemoHousehold
from keneya.people.models import HouseholdStatus, Relationship, Sex, VitalStatus
from keneya.referrals.models import CARE_TARGET, ReferralStatus

NAMESPACE = uuid.UUID("8d1f6a52-3c0e-4f4b-b7a1-6b656e65796c")  # fixed: stable visit/alert ids
WINDOW_DAYS = 182
UNDER_FIVE_MONTHS = 60

# Shares and rates (orders of magnitude for Bamako; the demo is illustrative, not a survey).
FOLLOW_UP_ENROLLED = 0.85  # children under 5 the relais weighs every month
FOLLOW_UP_ATTENDANCE = 0.9  # of the monthly visits that happen
HEIGHT_EVERY_MONTHS = 3
SICK_EPISODES_PER_WINDOW = {"infant": 1.1, "child": 0.6}  # seen by the relais, per 6 months
FALTERING_SHARE = 0.015
WASTED_SHARE = 0.04
PREGNANT_TODAY_SHARE = 0.08  # women 15-44 pregnant today and followed by the relais
ANC_FOLLOWED_SHARE = 0.7  # mothers of the babies born in the window followed in pregnancy
POSTNATAL_SHARE = 0.6  # newborns of the window with postnatal visits
RDT_POSITIVE_SHARE = 0.7

SCHEDULER_SECONDS = 60  # run_scheduler's pass: escalation and "not arrived" checks
ESCALATION_DELAY = timedelta(hours=2)  # alerts.services.DEFAULT_ESCALATION_DELAY

Intent = tuple[datetime, int, Callable[..., None], tuple[Any, ...]]


def stable_uuid(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


# --- who can be visited ------------------------------------------------------------------------


@dataclass(slots=True)
class Member:
    id: uuid.UUID
    sex: str
    date_of_birth: date
    given_names: str
    family_name: str
    relationship: str

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"


@dataclass(slots=True)
class Home:
    id: uuid.UUID
    status: str
    phone: str
    chw_id: Any
    health_area: str  # code of the aire de santé
    members: list[Member]


class Subjects:
    """The households of the seed, kept light: children under 5 in the window and women 15-49."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.window_start = today - timedelta(days=WINDOW_DAYS)
        self.homes: list[Home] = []
        self._health_area = {q.code: ha.code for ha in district.HEALTH_AREAS for q in ha.quartiers}

    def add(self, households: Iterable[DemoHousehold], chw_ids: dict[int, Any]) -> None:
        for demo in households:
            if demo.status == HouseholdStatus.DISSOLVED:
                continue
            members = [
                Member(m.id, m.sex, m.date_of_birth, m.given_names, m.family_name, m.relationship_to_head)
                for m in demo.members
                if m.vital_status == VitalStatus.ALIVE
                and (self.is_child(m.date_of_birth) or self.is_woman(m.sex, m.date_of_birth))
            ]
            if members:
                self.homes.append(
                    Home(
                        demo.id,
                        demo.status,
                        demo.phone,
                        chw_ids[demo.chw_index],
                        self._health_area[demo.quartier.code],
                        members,
                    )
                )

    def is_child(self, dob: date) -> bool:
        return dob <= self.today and completed_months(dob, self.window_start) < UNDER_FIVE_MONTHS

    def is_woman(self, sex: str, dob: date) -> bool:
        return sex == Sex.FEMALE and 15 <= _years(dob, self.today) <= 49


def _years(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


# --- staff and facilities (ids read from the database by the writer) ----------------------------


@dataclass(frozen=True)
class StaffMember:
    id: Any
    phone: str
    full_name: str


@dataclass
class Directory:
    """Facility ids and staff, keyed the way the planner needs them."""

    cscom_of: dict[str, Any]  # health area code -> the CSCom's id (alerts.services.cscom_ids_of_quartiers)
    csref: Any  # the CSRef the CSComs refer to
    clinicians: dict[Any, list[StaffMember]]  # facility id -> clinicians (specialists at CSRef)
    managers: dict[Any, list[StaffMember]]  # facility id -> facility managers
    chws: dict[Any, StaffMember]  # user id -> CHW
    facility_names: dict[Any, str]
    facility_is_cscom: dict[Any, bool]

    def clinician(self, facility: Any) -> StaffMember:
        return self.clinicians[facility][0]


# --- growth: children drawn around the WHO medians ----------------------------------------------


def _lms_value(lms: tuple[float, float, float], z: float) -> float:
    lam, mu, sigma = lms
    if lam == 0:
        return mu * math.exp(sigma * z)
    return mu * (1 + lam * sigma * z) ** (1 / lam)


def _row(name: str, sex: str, index: int) -> tuple[float, float, float]:
    table = tables()[name]
    last = table.first + len(table.rows[0]) - 1
    return table.row(0 if sex == Sex.MALE else 1, min(max(index, table.first), last))


@dataclass
class Growth:
    """A child's length/height-for-age and weight-for-length z over the window, month by month."""

    sex: str
    date_of_birth: date
    start: date
    haz: list[float]
    whz: list[float]
    muac_shift: float
    faltering_from: int | None = None  # month index of a two-month flat or falling weight

    def _z(self, values: list[float], on: date) -> float:
        t = max((on - self.start).days, 0) / 30.4375
        i = min(int(t), len(values) - 2)
        frac = min(t - i, 1.0)
        return values[i] + (values[i + 1] - values[i]) * frac

    def height_cm(self, on: date) -> float:
        days = age_days(self.date_of_birth, on)
        return _lms_value(_row("lhfa", self.sex, days), self._z(self.haz, on))

    def weight_kg(self, on: date, height: float) -> float:
        days = age_days(self.date_of_birth, on)
        name = "wfl" if days < 731 else "wfh"
        return _lms_value(_row(name, self.sex, round(height * 10)), self._z(self.whz, on))

    def muac_mm(self, on: date) -> float:
        days = max(age_days(self.date_of_birth, on), 91)
        z = 0.8 * self._z(self.whz, on) + self.muac_shift
        return _lms_value(_row("acfa", self.sex, days), z) * 10


def new_growth(rng: random.Random, *, sex: str, date_of_birth: date, start: date) -> Growth:
    months = WINDOW_DAYS // 30 + 3
    haz0 = min(max(rng.gauss(-1.1, 1.1), -4.5), 3.0)
    wasted = rng.random() < WASTED_SHARE
    base = rng.gauss(-2.4, 0.4) if wasted else rng.gauss(-0.35, 0.8)
    haz, whz = [haz0], [min(max(base + rng.gauss(0, 0.2), -4.2), 3.0)]
    for _ in range(months - 1):
        haz.append(haz[-1] + rng.gauss(-0.01, 0.03))
        nxt = whz[-1] + 0.3 * (base - whz[-1]) + rng.gauss(0, 0.06)
        if wasted and nxt < -2.0:
            nxt += 0.25  # treated: recovers slowly
        whz.append(min(max(nxt, -4.2), 3.0))
    growth = Growth(sex, date_of_birth, start, haz, whz, rng.gauss(0, 0.45))
    if rng.random() < FALTERING_SHARE:
        growth.faltering_from = rng.randrange(1, months - 3)
    return growth


def growth_measurements(
    rng: random.Random, growth: Growth, on: date, *, height: bool, muac: bool = True
) -> dict[str, Any]:
    true_height = growth.height_cm(on)
    weight = growth.weight_kg(on, true_height)
    months = completed_months(growth.date_of_birth, on)
    out: dict[str, Any] = {"weight_kg": round(weight + rng.gauss(0, 0.03), 1)}
    if height:
        out["length_or_height_cm"] = round(true_height + rng.gauss(0, 0.4), 1)
        out["measured_position"] = "L" if age_days(growth.date_of_birth, on) < 731 else "H"
    if muac and months >= 6:
        out["muac_mm"] = int(round(growth.muac_mm(on) + rng.gauss(0, 2)))
    return out


# --- what a relais finds at a visit --------------------------------------------------------------

BENIGN_SICK = (
    ("cough_cold", 30),
    ("pneumonia", 12),
    ("diarrhoea", 18),
    ("malaria", 22),
    ("fever_rdt_negative", 8),
)
DANGER_SICK = (
    ("chest_indrawing", 30),
    ("convulsions", 18),
    ("unable_to_drink", 15),
    ("vomits_everything", 12),
    ("lethargic", 8),
    ("long_cough", 5),
    ("long_diarrhoea", 5),
    ("long_fever", 4),
    ("muac_red", 10),
)
DANGER_SHARE = 0.11
PREGNANCY_DANGER = (
    "vaginal_bleeding",
    "severe_headache",
    "swelling_face_or_hands",
    "fever",
    "leaking_fluid",
    "severe_abdominal_pain",
    "visual_disturbance",
)
POSTPARTUM_URGENT = (
    "heavy_vaginal_bleeding",
    "fever_too_weak_to_get_out_of_bed",
    "severe_headache_or_blurred_vision",
)
POSTPARTUM_SAME_DAY = ("breast_pain_swelling_or_redness", "foul_smelling_lochia", "perineal_pain_or_pus")


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def fast_breathing_threshold(date_of_birth: date, on: date) -> int:
    return 50 if completed_months(date_of_birth, on) < 12 else 40


def sick_child_findings(
    rng: random.Random, *, date_of_birth: date, on: date, case: str | None = None, danger: bool | None = None
) -> tuple[dict[str, Any], str]:
    """Findings of a sick child 2-59 months (``case`` forces one), and the case drawn."""
    if case is None:
        if danger is None:
            danger = rng.random() < DANGER_SHARE
        case = _weighted(rng, DANGER_SICK if danger else BENIGN_SICK)
    threshold = fast_breathing_threshold(date_of_birth, on)
    f: dict[str, Any] = {}

    def fever(rdt: str | None = None, low: float = 37.8, high: float = 39.6) -> None:
        f.update(fever=True, fever_days=rng.randint(1, 4), temperature_c=round(rng.uniform(low, high), 1))
        f["rdt_result"] = rdt or ("positive" if rng.random() < RDT_POSITIVE_SHARE else "negative")

    if case == "cough_cold":
        f.update(
            cough=True,
            cough_days=rng.randint(1, 7),
            respiratory_rate=rng.randint(threshold - 14, threshold - 2),
        )
        if rng.random() < 0.3:
            f["temperature_c"] = round(rng.uniform(36.5, 37.4), 1)
    elif case == "pneumonia":
        f.update(
            cough=True,
            cough_days=rng.randint(2, 6),
            respiratory_rate=rng.randint(threshold + 2, threshold + 14),
        )
    elif case == "diarrhoea":
        f.update(diarrhoea=True, diarrhoea_days=rng.randint(1, 5))
        if rng.random() < 0.25:
            fever()
    elif case == "malaria":
        fever("positive")
        if rng.random() < 0.3:
            f.update(diarrhoea=True, diarrhoea_days=rng.randint(1, 3))
        elif rng.random() < 0.3:
            f.update(
                cough=True,
                cough_days=rng.randint(1, 4),
                respiratory_rate=rng.randint(threshold - 12, threshold - 2),
            )
    elif case == "fever_rdt_negative":
        fever("negative", 37.5, 38.6)
    elif case == "chest_indrawing":
        f.update(
            cough=True,
            cough_days=rng.randint(2, 6),
            chest_indrawing=True,
            respiratory_rate=rng.randint(threshold + 4, threshold + 20),
        )
        if rng.random() < 0.3:
            fever()
    elif case == "convulsions":
        fever(None, 38.8, 40.4)
        f["convulsions"] = True
    elif case == "unable_to_drink":
        f["not_able_to_drink_or_feed"] = True
        if rng.random() < 0.5:
            fever()
        else:
            f.update(diarrhoea=True, diarrhoea_days=rng.randint(2, 6))
    elif case == "vomits_everything":
        f.update(vomits_everything=True, diarrhoea=True, diarrhoea_days=rng.randint(1, 4))
    elif case == "lethargic":
        fever("positive", 38.5, 40.2)
        f["unusually_sleepy_or_unconscious"] = True
    elif case == "long_cough":
        f.update(
            cough=True,
            cough_days=rng.randint(14, 30),
            respiratory_rate=rng.randint(threshold - 10, threshold - 1),
        )
    elif case == "long_diarrhoea":
        f.update(diarrhoea=True, diarrhoea_days=rng.randint(14, 21))
    elif case == "long_fever":
        f.update(
            fever=True,
            fever_days=rng.randint(7, 12),
            rdt_result="negative",
            temperature_c=round(rng.uniform(37.6, 38.8), 1),
        )
    elif case == "muac_red":
        if rng.random() < 0.5:
            f.update(diarrhoea=True, diarrhoea_days=rng.randint(1, 5))
        if rng.random() < 0.15:
            f["bilateral_oedema"] = True
    else:
        raise ValueError(f"unknown sick-child case {case!r}")
    return f, case


def young_infant_findings(rng: random.Random) -> dict[str, Any]:
    """A sick young infant (0-59 days); about one in five has a danger sign."""
    f: dict[str, Any] = {
        "respiratory_rate": rng.randint(38, 56),
        "temperature_c": round(rng.uniform(36.5, 37.3), 1),
    }
    draw = rng.random()
    if draw < 0.2:
        sign = rng.choice(
            (
                "not_feeding_well",
                "fast",
                "fever",
                "severe_chest_indrawing",
                "yellow_palms_or_soles",
                "movement_only_when_stimulated_or_none",
            )
        )
        if sign == "fast":
            f["respiratory_rate"] = rng.randint(62, 78)
        elif sign == "fever":
            f["temperature_c"] = round(rng.uniform(37.6, 38.9), 1)
        else:
            f[sign] = True
    elif draw < 0.32:
        f[rng.choice(("umbilicus_red_or_draining_pus", "skin_pustules"))] = True
    return f


def pregnancy_findings(rng: random.Random, *, danger: bool | None = None) -> dict[str, Any]:
    if danger is None:
        danger = rng.random() < 0.04
    if not danger:
        return {}
    signs = rng.sample(PREGNANCY_DANGER, rng.choice((1, 1, 2)))
    return {sign: True for sign in signs}


def postnatal_mother_findings(rng: random.Random) -> dict[str, Any]:
    draw = rng.random()
    if draw < 0.05:
        return {rng.choice(POSTPARTUM_URGENT): True}
    if draw < 0.11:
        return {rng.choice(POSTPARTUM_SAME_DAY): True}
    return {}


def random_visit(
    rng: random.Random,
    *,
    sex: str,
    date_of_birth: date,
    on: date,
    urgent_share: float = 0.1,
    growth: Growth | None = None,
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(kind, findings, measurements) of one visit of a person, for the benchmarks.

    Children under 5: follow-ups and sick-child visits, about ``urgent_share`` with a danger
    sign; others (women): pregnancy visits with an LMP.
    """
    months = completed_months(date_of_birth, on)
    if months < UNDER_FIVE_MONTHS:
        growth = growth or new_growth(
            rng, sex=sex, date_of_birth=date_of_birth, start=on - timedelta(days=30)
        )
        days = age_days(date_of_birth, on)
        if days <= 59:
            return "sick_child", young_infant_findings(rng), {}
        danger = rng.random() < urgent_share
        if danger or rng.random() < 0.25:
            findings, case = sick_child_findings(rng, date_of_birth=date_of_birth, on=on, danger=danger)
            measurements = growth_measurements(rng, growth, on, height=False)
            if case == "muac_red":
                if months < 6:
                    findings.update(convulsions=True)
                else:
                    measurements["muac_mm"] = rng.randint(100, 114)
            return "sick_child", findings, measurements
        return "child_followup", {}, growth_measurements(rng, growth, on, height=rng.random() < 0.33)
    lmp = on - timedelta(days=rng.randint(56, 266))
    return (
        "pregnancy",
        pregnancy_findings(rng, danger=rng.random() < urgent_share),
        {"lmp": lmp.isoformat()},
    )


# --- the plan: visits, alerts, referrals, consultations, messages --------------------------------


@dataclass(eq=False)
class PVisit:
    id: uuid.UUID
    member: Member
    home: Home
    kind: str
    visit_date: date
    findings: dict[str, Any]
    measurements: dict[str, Any]
    visited_at: datetime | None = None
    recorded_at: datetime | None = None
    assessment: dict[str, Any] = field(default_factory=dict)
    story: str = ""
    case: str = ""

    @property
    def urgent(self) -> bool:
        return bool(self.assessment.get("urgent_referral"))


@dataclass(eq=False)
class PEvent:
    kind: str
    at: datetime
    by: Any
    data: dict[str, Any]


@dataclass(eq=False)
class PAlert:
    id: uuid.UUID
    member: Member
    home: Home
    facility: Any
    rule: AlertRule
    findings: list[str]
    raised_at: datetime
    visit: PVisit | None = None
    referral: PReferral | None = None
    status: str = AlertStatus.OPEN
    acknowledged_at: datetime | None = None
    acknowledged_by: Any = None
    appointment_date: date | None = None
    escalated_at: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str = ""
    events: list[PEvent] = field(default_factory=list)


@dataclass(eq=False)
class PReferral:
    id: uuid.UUID
    member: Member
    home: Home
    to_facility: Any
    issued_by: Any
    issued_at: datetime
    reason: str
    findings: list[str]
    urgent: bool = True
    visit: PVisit | None = None
    from_facility: Any = None
    status: str = ReferralStatus.ISSUED
    arrived_at: datetime | None = None
    seen_at: datetime | None = None
    time_to_care: timedelta | None = None
    counter_referral_note: str = ""
    counter_referred_at: datetime | None = None
    closed_at: datetime | None = None
    events: list[PEvent] = field(default_factory=list)


@dataclass(eq=False)
class PConsultation:
    id: uuid.UUID
    member: Member
    facility: Any
    clinician: Any
    consulted_at: datetime
    complaint: str
    examination: str
    treatment: str
    diagnoses: list[str]
    vitals: dict[str, Any]
    follow_up_date: date | None
    referral: PReferral | None = None


@dataclass(eq=False)
class PMessage:
    id: uuid.UUID
    template: str
    recipient: str
    context: dict[str, Any]
    dedup_key: str
    at: datetime


@dataclass
class ClosedLoopPlan:
    today: date
    now: datetime
    visits: list[PVisit] = field(default_factory=list)
    alerts: list[PAlert] = field(default_factory=list)
    referrals: list[PReferral] = field(default_factory=list)
    consultations: list[PConsultation] = field(default_factory=list)
    messages: list[PMessage] = field(default_factory=list)
    deaths: dict[uuid.UUID, date] = field(default_factory=dict)  # person -> date of death
    moves: dict[uuid.UUID, date] = field(default_factory=dict)  # active household -> moved on


# What a consultation finds, by the visit's findings and classifications (ICD-10, French).
TREATMENT_FR = {
    "B50.9": "Artéméther-luméfantrine (CTA) 3 jours, paracétamol.",
    "B50.8": "Artésunate injectable puis relais par CTA ; surveillance.",
    "B50.0": "Artésunate injectable, diazépam si convulsions, glycémie ; surveillance étroite.",
    "J18.9": "Amoxicilline 5 jours ; revoir à J3.",
    "J06.9": "Désobstruction nasale, paracétamol ; conseils.",
    "A09.9": "SRO et zinc 10 jours ; poursuivre l'allaitement et l'alimentation.",
    "E86": "Réhydratation (plan B) au centre.",
    "A03.9": "Ciprofloxacine 3 jours ; SRO.",
    "E43": "Admission URENAS : ATPE (Plumpy'Nut), amoxicilline ; revoir chaque semaine.",
    "E40": "Kwashiorkor : transfert URENI, antibiothérapie, F-75.",
    "E44.0": "URENAM : farine enrichie, conseils nutritionnels ; revoir dans 2 semaines.",
    "E44.1": "Conseils nutritionnels, déparasitage ; revoir dans 1 mois.",
    "R50.9": "Paracétamol ; rechercher un autre foyer ; revoir dans 2 jours.",
    "R56.0": "Diazépam intrarectal, antipyrétique ; surveillance.",
    "R05": "Toux prolongée : recherche de tuberculose (crachats), amoxicilline.",
    "P36.9": "Ampicilline et gentamicine ; surveillance de la température et des tétées.",
    "P59.9": "Ictère : bilan (bilirubine), photothérapie au CSRef si besoin.",
    "O46": "Voie veineuse, remplissage ; échographie ; surveillance.",
    "O14.9": "Sulfate de magnésium, nifédipine ; surveillance de la tension.",
    "O15.0": "Sulfate de magnésium, voie veineuse ; transfert au CSRef.",
    "O23.9": "Antibiothérapie adaptée à la grossesse ; paracétamol.",
    "O42": "Rupture des membranes : antibiothérapie, surveillance ; transfert au CSRef.",
    "O72.2": "Ocytocine, massage utérin, remplissage.",
    "O85": "Ampicilline, gentamicine et métronidazole.",
}
CHILD_FOLLOW_UP_DAYS = {
    "J18.9": 3,
    "R50.9": 2,
    "E43": 7,
    "E40": 7,
    "E44.0": 14,
    "A09.9": 5,
    "B50.9": 3,
    "E44.1": 30,
}


def diagnoses_for(visit: PVisit | None, rule: str) -> list[str]:
    """ICD-10 codes a clinician would write for the episode behind an alert."""
    if visit is None:
        return ["R50.9"]
    a = visit.assessment
    danger = set(a.get("danger_signs") or [])
    classes = set(a.get("classifications") or [])
    f = visit.findings
    codes: list[str] = []
    if visit.kind == "pregnancy":
        if "vaginal_bleeding" in danger or "severe_abdominal_pain" in danger:
            codes.append("O46")
        if "convulsions" in danger:
            codes.append("O15.0")
        elif danger & {"severe_headache", "visual_disturbance", "swelling_face_or_hands"}:
            codes.append("O14.9")
        if "fever" in danger:
            codes.append("O23.9")
        if "leaking_fluid" in danger:
            codes.append("O42")
        return codes or ["O14.9"]
    if visit.kind == "postnatal" and a.get("age_days", 0) > 59:
        if "heavy_vaginal_bleeding" in danger:
            codes.append("O72.2")
        if "fever_too_weak_to_get_out_of_bed" in danger:
            codes.append("O85")
        if "severe_headache_or_blurred_vision" in danger:
            codes.append("O14.9")
        return codes or ["O85"]
    if a.get("age_days", 99) <= 59 and danger:
        return ["P59.9"] if "jaundice_severe" in danger else ["P36.9"]
    if "malaria" in classes:
        if danger & {"convulsions", "unusually_sleepy_or_unconscious"}:
            codes.append("B50.0")
        elif danger:
            codes.append("B50.8")
        else:
            codes.append("B50.9")
    if "fast_breathing" in classes:
        codes.append("J18.9")
    if classes & {"diarrhoea", "persistent_diarrhoea"}:
        codes.append("A09.9")
        if danger & {"vomits_everything", "not_able_to_drink_or_feed"}:
            codes.append("E86")
    if "dysentery" in classes:
        codes.append("A03.9")
    if "severe_acute_malnutrition" in classes:
        codes.append("E40" if f.get("bilateral_oedema") else "E43")
    elif "moderate_acute_malnutrition" in classes:
        codes.append("E44.0")
    if "fever_rdt_negative" in classes:
        codes.append("R50.9")
    if "convulsions" in danger and "malaria" not in classes:
        codes.append("R56.0")
    if "cough_14_days_or_more" in danger:
        codes.append("R05")
    if rule == "growth_faltering" and not codes:
        codes.append("E44.1")
    return codes or ["J06.9"]


def _examination(visit: PVisit | None) -> str:
    if visit is None:
        return ""
    f = visit.findings
    parts = []
    if "temperature_c" in f:
        parts.append(f"T° {str(f['temperature_c']).replace('.', ',')} °C")
    if "respiratory_rate" in f:
        parts.append(f"FR {f['respiratory_rate']}/min")
    if f.get("chest_indrawing") or f.get("severe_chest_indrawing"):
        parts.append("tirage sous-costal")
    if "muac_mm" in visit.measurements:
        parts.append(f"PB {visit.measurements['muac_mm']} mm")
    if f.get("bilateral_oedema"):
        parts.append("œdèmes bilatéraux")
    if f.get("rdt_result"):
        parts.append("TDR " + ("positif" if f["rdt_result"] == "positive" else "négatif"))
    return ", ".join(parts) + ("." if parts else "")


# --- planning ------------------------------------------------------------------------------------

# Scripted stories: every CSCom inbox gets the first four, the district gets the others once.
# Alerts the stories leave unclosed for longer than this are closed a few days after they rose.
STALE_ALERT_DAYS = 21
STALE_ALERT_CLOSED_AFTER_DAYS = 3
INBOX_STORIES = ("open_urgent", "escalated", "acknowledged", "convoked")
DISTRICT_STORIES = ("seen_full", "false_alarm", "deceased", "moved")


class _Planner:
    def __init__(
        self,
        subjects: Subjects,
        directory: Directory,
        *,
        seed: int | str,
        today: date,
        now: datetime,
        tz: tzinfo,
    ) -> None:
        self.subjects = subjects
        self.directory = directory
        self.rng = random.Random(f"{seed}:closed-loop")
        self.today = today
        self.now = now
        self.tz = tz
        self.start = subjects.window_start
        self.plan = ClosedLoopPlan(today=today, now=now)
        self.stories: dict[uuid.UUID, str] = {}
        self.moves: dict[uuid.UUID, date] = {}  # household -> moved on (registry or story)
        self.heap: list[Intent] = []
        self._seq = count()
        self.alerts_of: dict[uuid.UUID, list[PAlert]] = {}  # person -> alerts
        self.referrals_of: dict[uuid.UUID, list[PReferral]] = {}

    # --- time ---------------------------------------------------------------------------------

    def at(self, day: date, hours: float) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.tz) + timedelta(hours=hours)

    def midnight(self) -> datetime:
        return self.at(self.today, 0)

    def working(self, t: datetime, jitter: float) -> datetime:
        """Routine work happens in working hours (8:00-17:00)."""
        local = t.astimezone(self.tz)
        if local.hour < 8:
            return self.at(local.date(), 8 + jitter)
        if local.hour >= 17:
            return self.at(local.date() + timedelta(days=1), 8 + jitter)
        return t

    # --- stories and moves ----------------------------------------------------------------------

    def choose_stories(self) -> None:
        rng = self.rng
        by_area: dict[str, list[tuple[Home, Member]]] = {}
        for home in self.subjects.homes:
            if home.status != HouseholdStatus.ACTIVE:
                continue
            for m in home.members:
                if m.relationship == Relationship.HEAD:
                    continue
                months = (
                    completed_months(m.date_of_birth, self.today) if m.date_of_birth <= self.today else -1
                )
                if 12 <= months <= 48:
                    by_area.setdefault(home.health_area, []).append((home, m))
        used_homes: set[uuid.UUID] = set()
        pools: dict[str, list[tuple[Home, Member]]] = {}
        for ha in district.HEALTH_AREAS:
            pool = by_area.get(ha.code, [])
            rng.shuffle(pool)
            pools[ha.code] = pool

        def take(area: str) -> tuple[Home, Member] | None:
            pool = pools[area]
            while pool:
                home, member = pool.pop()
                if home.id not in used_homes:
                    used_homes.add(home.id)
                    return home, member
            return None

        for ha in district.HEALTH_AREAS:
            for story in INBOX_STORIES:
                picked = take(ha.code)
                if picked:
                    self.stories[picked[1].id] = story
        for story in DISTRICT_STORIES:
            for area in sorted(pools, key=lambda a: -len(pools[a])):
                picked = take(area)
                if picked:
                    self.stories[picked[1].id] = story
                    if story == "moved":
                        self.moves[picked[0].id] = self.today - timedelta(days=30)
                    break

    def registry_moves(self) -> None:
        for home in self.subjects.homes:
            if home.status == HouseholdStatus.MOVED:
                self.moves[home.id] = self.start + timedelta(days=self.rng.randint(20, WINDOW_DAYS - 5))

    # --- visits ------------------------------------------------------------------------------

    def child_visits(self, home: Home, m: Member) -> list[PVisit]:
        rng = self.rng
        dob = m.date_of_birth
        growth = new_growth(rng, sex=m.sex, date_of_birth=dob, start=self.start)
        out: dict[date, PVisit] = {}

        def under_five(day: date) -> bool:
            return dob <= day <= self.today and completed_months(dob, day) < UNDER_FIVE_MONTHS

        # Monthly follow-ups (weight, MUAC; length/height every third month).
        if rng.random() < FOLLOW_UP_ENROLLED:
            offset = rng.randrange(0, 28)
            height_phase = rng.randrange(HEIGHT_EVERY_MONTHS)
            weights: list[float] = []
            for k in range(WINDOW_DAYS // 30 + 1):
                day = _weekday(self.start + timedelta(days=round(offset + 30.4 * k) + rng.randint(-3, 3)))
                present = rng.random() < FOLLOW_UP_ATTENDANCE
                if not present or not under_five(day) or (day - dob).days < 28:
                    continue
                meas = growth_measurements(rng, growth, day, height=k % HEIGHT_EVERY_MONTHS == height_phase)
                if (
                    growth.faltering_from is not None
                    and growth.faltering_from <= k <= growth.faltering_from + 2
                    and weights
                ):
                    # a flat or falling curve: two months without gain
                    meas["weight_kg"] = round(weights[-1] - rng.choice((0.0, 0.1, 0.2)), 1)
                weights.append(meas["weight_kg"])
                out[day] = PVisit(stable_uuid("visit", m.id, day), m, home, "child_followup", day, {}, meas)

        # Sick-child episodes.
        infant = completed_months(dob, max(dob, self.start)) < 24
        rate = SICK_EPISODES_PER_WINDOW["infant" if infant else "child"]
        for _ in range(_poisson(rng, rate)):
            day = _weekday(self.start + timedelta(days=rng.randint(0, WINDOW_DAYS)), sunday=True)
            draw = rng.random()
            if not under_five(day) or (day - dob).days < 3:
                continue
            if age_days(dob, day) <= 59:
                findings, meas, case = young_infant_findings(rng), {}, "young_infant"
            else:
                findings, case = sick_child_findings(rng, date_of_birth=dob, on=day)
                meas = growth_measurements(rng, growth, day, height=False)
                if draw > 0.4:
                    del meas["weight_kg"]
                if case == "muac_red":
                    if "muac_mm" in meas:
                        meas["muac_mm"] = rng.randint(98, 114)
                    else:  # under 6 months: MUAC does not apply, the infant cannot feed
                        findings["not_able_to_drink_or_feed"] = True
                if "muac_mm" in meas and meas["muac_mm"] < 115 and case != "muac_red":
                    meas["muac_mm"] = 115 + rng.randint(0, 6)  # keep the drawn case
            out[day] = PVisit(
                stable_uuid("visit", m.id, day), m, home, "sick_child", day, findings, meas, case=case
            )

        # Postnatal visits of a baby born in the window.
        if dob >= self.start and rng.random() < POSTNATAL_SHARE:
            for lo, hi in ((1, 2), (6, 8), (27, 42)):
                day = dob + timedelta(days=rng.randint(lo, hi))
                if day <= self.today and day not in out:
                    out[day] = PVisit(
                        stable_uuid("visit", m.id, day),
                        m,
                        home,
                        "postnatal",
                        day,
                        young_infant_findings(rng) if rng.random() < 0.5 else {},
                        {},
                    )
        self.add_story(home, m, out, growth)
        return sorted(out.values(), key=lambda v: v.visit_date)

    def add_story(self, home: Home, m: Member, out: dict[date, PVisit], growth: Growth) -> None:
        story = self.stories.get(m.id)
        if story is None:
            return
        rng = self.rng
        dob = m.date_of_birth
        threshold = fast_breathing_threshold(dob, self.today)
        days_ago = {
            "open_urgent": 0,
            "escalated": 1,
            "acknowledged": 2,
            "convoked": 3,
            "seen_full": 9,
            "false_alarm": 12,
            "deceased": 25,
            "moved": 40,
        }[story]
        day = self.today - timedelta(days=days_ago)
        meas = growth_measurements(rng, growth, day, height=False)
        kind = "sick_child"
        if story == "open_urgent":
            findings: dict[str, Any] = {
                "cough": True,
                "cough_days": 3,
                "chest_indrawing": True,
                "respiratory_rate": threshold + 9,
            }
        elif story == "escalated":
            findings = {
                "fever": True,
                "fever_days": 2,
                "temperature_c": 39.6,
                "rdt_result": "positive",
                "convulsions": True,
            }
        elif story in ("acknowledged", "convoked", "moved"):
            kind, findings = "child_followup", {}
            meas["muac_mm"] = {"acknowledged": 119, "convoked": 117, "moved": 120}[story]
        elif story == "seen_full":
            findings = {
                "cough": True,
                "cough_days": 4,
                "chest_indrawing": True,
                "respiratory_rate": threshold + 12,
                "not_able_to_drink_or_feed": True,
            }
        elif story == "false_alarm":
            findings = {
                "fever": True,
                "fever_days": 2,
                "temperature_c": 38.2,
                "rdt_result": "positive",
                "vomits_everything": True,
            }
        else:  # deceased
            findings = {
                "fever": True,
                "fever_days": 3,
                "temperature_c": 40.1,
                "rdt_result": "positive",
                "convulsions": True,
                "unusually_sleepy_or_unconscious": True,
            }
        for d in list(out):  # nothing earlier may close the story's alert, nothing after a death
            if d >= day - timedelta(days=30):
                del out[d]
        out[day] = PVisit(stable_uuid("visit", m.id, day), m, home, kind, day, findings, meas, story=story)

    def woman_visits(self, home: Home, m: Member, baby: Member | None) -> list[PVisit]:
        rng = self.rng
        out: dict[date, PVisit] = {}
        if baby is not None:
            birth = baby.date_of_birth
            lmp = birth - timedelta(days=280 + rng.randint(-14, 7))
            end = birth - timedelta(days=3)
            if rng.random() < ANC_FOLLOWED_SHARE:
                self._pregnancy(home, m, lmp, end, out)
            for lo, hi in ((1, 2), (6, 8)):
                day = birth + timedelta(days=rng.randint(lo, hi))
                if day <= self.today and rng.random() < POSTNATAL_SHARE + 0.2:
                    out[day] = PVisit(
                        stable_uuid("visit", m.id, day),
                        m,
                        home,
                        "postnatal",
                        day,
                        postnatal_mother_findings(rng),
                        {},
                    )
        elif _years(m.date_of_birth, self.today) <= 44 and rng.random() < PREGNANT_TODAY_SHARE:
            lmp = self.today - timedelta(days=rng.randint(42, 266))
            self._pregnancy(home, m, lmp, self.today, out)
        return sorted(out.values(), key=lambda v: v.visit_date)

    def _pregnancy(self, home: Home, m: Member, lmp: date, end: date, out: dict[date, PVisit]) -> None:
        rng = self.rng
        day = max(lmp + timedelta(days=56), self.start) + timedelta(days=rng.randint(0, 20))
        while day <= end:
            visit_day = _weekday(day)
            if visit_day <= min(end, self.today) and rng.random() < 0.9:
                out[visit_day] = PVisit(
                    stable_uuid("visit", m.id, visit_day),
                    m,
                    home,
                    "pregnancy",
                    visit_day,
                    pregnancy_findings(rng),
                    {"lmp": lmp.isoformat()},
                )
            day += timedelta(days=rng.randint(26, 34))

    def check_stories(self) -> None:
        """The scripted visits must raise what their story needs (a clinical rule changed?)."""
        urgent = {"open_urgent", "escalated", "seen_full", "false_alarm", "deceased"}
        for v in self.plan.visits:
            if not v.story:
                continue
            rules = [a.rule.code for a in self.person_alerts(v.member) if a.visit is v]
            expected = v.urgent if v.story in urgent else rules == ["moderate_acute_malnutrition"]
            if not expected or not rules:
                raise RuntimeError(
                    f"demo story {v.story!r}: the engine said {v.assessment.get('action')} {rules}"
                )

    def home_visits(self, home: Home) -> list[PVisit]:
        women = [m for m in home.members if self.subjects.is_woman(m.sex, m.date_of_birth)]
        babies = [m for m in home.members if m.date_of_birth >= self.start and m.date_of_birth <= self.today]
        mothers: dict[uuid.UUID, Member] = {}
        candidates = [
            w
            for w in women
            if 17 <= _years(w.date_of_birth, self.today) <= 45 and w.relationship != Relationship.CHILD
        ]
        for baby in babies:
            free = [w for w in candidates if w.id not in mothers]
            if free:
                mothers[self.rng.choice(free).id] = baby
        visits: list[PVisit] = []
        for m in home.members:
            if m.id in self.stories or self.subjects.is_child(m.date_of_birth):
                visits += self.child_visits(home, m)
            elif m in women:
                visits += self.woman_visits(home, m, mothers.get(m.id))
        moved = self.moves.get(home.id)
        if moved is not None:
            visits = [v for v in visits if v.visit_date < moved]
        return visits

    def timestamps(self, v: PVisit) -> None:
        """When the relais saw the person, and when the server received the visit."""
        rng = self.rng
        hour = rng.uniform(8, 13) if rng.random() < 0.8 else rng.uniform(15, 18.5)
        urgent_lag = rng.uniform(1, 20) / 60
        draw = rng.random()
        lag = (
            rng.uniform(2, 60) / 60
            if draw < 0.7
            else rng.uniform(1, 8)
            if draw < 0.95
            else rng.uniform(16, 30)
        )
        if v.story == "open_urgent":
            v.recorded_at = max(self.now - timedelta(minutes=35), self.midnight())
            v.visited_at = max(v.recorded_at - timedelta(minutes=12), self.midnight())
            return
        if v.story == "escalated":
            v.visited_at = self.at(v.visit_date, 16.5)
            v.recorded_at = v.visited_at + timedelta(minutes=9)
            return
        if v.visit_date == self.today:  # today: between midnight and now
            span = max((self.now - self.midnight()).total_seconds(), 0)
            v.visited_at = self.midnight() + timedelta(seconds=span * (hour - 8) / 10.5)
        else:
            v.visited_at = self.at(v.visit_date, hour)
        v.recorded_at = min(v.visited_at + timedelta(hours=urgent_lag if v.urgent else lag), self.now)

    # --- alerts as the rules raise them -----------------------------------------------------

    def assess(self, visits: list[PVisit]) -> None:
        weighed: list[PVisit] = []
        for v in sorted(visits, key=lambda v: v.visit_date):
            v.assessment = assess_home_visit(
                kind=v.kind,
                sex=v.member.sex,
                date_of_birth=v.member.date_of_birth,
                visit_date=v.visit_date,
                findings=v.findings,
                measurements=v.measurements,
            )
            self.timestamps(v)
        for v in sorted(visits, key=lambda v: (v.recorded_at, v.visit_date)):
            weights: list[tuple[date, float]] = []
            if v.measurements.get("weight_kg"):
                weighed.append(v)
                weights = weights_before(v, weighed)
            facts = VisitFacts(kind=v.kind, visit_date=v.visit_date, assessment=v.assessment, weights=weights)
            self.raise_alerts(v, matching_rules(facts))

    def raise_alerts(self, v: PVisit, matches: list[tuple[AlertRule, list[str]]]) -> None:
        """``alerts.services.raise_alerts_for_visits``: one alert (the most serious rule)."""
        facility = self.directory.cscom_of[v.home.health_area]
        assert v.recorded_at is not None
        alert = None
        if matches:
            matches.sort(key=lambda m: PRIORITY_RANK[m[0].priority])  # type: ignore[index]
            rule = matches[0][0]
            findings = list(dict.fromkeys(f for _rule, found in matches for f in found))
            alert = PAlert(
                stable_uuid("alert", v.id, rule.code),
                v.member,
                v.home,
                facility,
                rule,
                findings,
                v.recorded_at,
                visit=v,
            )
            alert.events.append(PEvent("raised", v.recorded_at, None, {"rule": rule.code}))
            self.add_alert(alert)
        referral = None
        if v.urgent:
            referral = PReferral(
                stable_uuid("referral", v.id),
                v.member,
                v.home,
                facility,
                v.home.chw_id,
                v.recorded_at,
                referral_reason(v),
                list(v.assessment.get("danger_signs", [])),
                visit=v,
            )
            referral.events.append(PEvent("issued", v.recorded_at, v.home.chw_id, {}))
            self.add_referral(referral)
            if alert is not None:
                alert.referral = referral
        if alert is not None and alert.rule.priority == Priority.URGENT:
            self.notify_clinicians(alert)
        self.plan_episode(v, alert, referral)

    # --- what happens next: intentions with seeded delays ------------------------------------

    def push(self, at: datetime, action: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self.heap, (at, next(self._seq), action, args))

    def plan_episode(self, v: PVisit, alert: PAlert | None, referral: PReferral | None) -> None:
        rng = self.rng
        t0 = v.recorded_at
        assert t0 is not None
        clinician = self.directory.clinician(self.directory.cscom_of[v.home.health_area]).id
        h = timedelta(hours=1)
        # Every draw happens whatever the story, so that ids and draws never depend on "now".
        draws = [rng.random() for _ in range(12)]
        ack_fast = t0 + timedelta(minutes=4 + 106 * draws[0])
        ack_late = t0 + timedelta(hours=2.2 + 8 * draws[1])
        story = v.story
        if alert is not None and alert.rule.priority == Priority.URGENT:
            self.push(
                t0 + ESCALATION_DELAY + timedelta(seconds=SCHEDULER_SECONDS * draws[2]), self.escalate, alert
            )
        if referral is not None:
            self.push(
                t0 + CARE_TARGET + timedelta(seconds=SCHEDULER_SECONDS * draws[3]),
                self.overdue,
                referral,
                self.follow_up_plan(referral),
            )
        if alert is None and referral is None:
            return
        if referral is not None:  # urgent visit
            scenario = (
                "fast"
                if draws[4] < 0.66
                else "late"
                if draws[4] < 0.82
                else "never"
                if draws[4] < 0.92
                else "false_alarm"
            )
            scenario = {
                "open_urgent": "fast",
                "escalated": "never",
                "seen_full": "fast",
                "false_alarm": "false_alarm",
                "deceased": "death",
            }.get(story, scenario)
            if alert is not None and story not in ("open_urgent", "escalated"):
                self.push(
                    ack_fast if draws[5] < 0.72 or scenario == "false_alarm" else ack_late,
                    self.ack,
                    alert,
                    clinician,
                )
            if story == "open_urgent":
                self.push(t0 + 4 * h, self.ack, alert, clinician)
            if scenario == "fast":
                ttc = min(max(math.exp(math.log(4) + 0.8 * _normal(draws[6], draws[7])), 0.5), 23.5)
                if story == "seen_full":
                    ttc = 3.2
                elif story == "open_urgent":
                    ttc = 6.0  # not yet: the alert is still open
                seen = t0 + timedelta(hours=ttc)
                if draws[8] < 0.6:
                    self.push(
                        max(seen - timedelta(minutes=10 + 40 * draws[9]), t0),
                        self.arrive,
                        referral,
                        clinician,
                    )
                self.push(seen, self.consult, self.consultation(v, alert, referral, seen))
            elif scenario == "late":
                seen = t0 + timedelta(hours=24.5 + 47 * draws[6])
                if draws[8] < 0.25:
                    self.push(t0 + timedelta(hours=20 + 3.5 * draws[9]), self.arrive, referral, clinician)
                self.push(seen, self.consult, self.consultation(v, alert, referral, seen))
            elif scenario == "never":
                if draws[6] < 0.5 and story != "escalated":  # comes days later after all
                    seen = self.working(t0 + timedelta(days=3 + 5 * draws[9]), 1 + 3 * draws[7])
                    self.push(seen, self.consult, self.consultation(v, alert, referral, seen))
            elif scenario == "false_alarm":
                assert alert is not None
                self.push(
                    ack_fast + timedelta(minutes=10 + 110 * draws[6]),
                    self.close,
                    alert,
                    CloseReason.FALSE_ALARM,
                    clinician,
                )
            elif scenario == "death":
                died = t0 + timedelta(hours=30 + 30 * draws[6])
                self.plan.deaths[v.member.id] = died.astimezone(self.tz).date()
                report = died + timedelta(hours=3 + 21 * draws[7])
                # The referral stays "not arrived": the child never reached the CSCom.
                self.push(report, self.close_all, v.member, CloseReason.DECEASED, clinician)
            return
        assert alert is not None
        # Alerts without referral: SAM treated as outpatient, MAM, growth faltering.
        work = self.working
        if story == "acknowledged":
            self.push(t0 + timedelta(minutes=50), self.ack, alert, clinician)
            return
        if story in ("convoked", "moved"):
            ack = t0 + timedelta(hours=1)
            self.push(ack, self.ack, alert, clinician)
            appointment = (
                self.today + timedelta(days=1) if story == "convoked" else v.visit_date + timedelta(days=4)
            )
            self.push(ack + timedelta(minutes=10), self.convoke, alert, clinician, appointment)
            return
        urgent = alert.rule.priority == Priority.URGENT
        ack = (
            t0 + timedelta(minutes=5 + 90 * draws[0])
            if urgent
            else work(t0 + timedelta(hours=0.5 + 47.5 * draws[0] ** 2), 3 * draws[1])
        )
        outcome = draws[4]
        self.push(ack, self.ack, alert, clinician)
        if outcome < 0.6:  # convoked; most come on the day
            convoked = ack + timedelta(minutes=5 + 85 * draws[5])
            appointment = convoked.astimezone(self.tz).date() + timedelta(
                days=(0 if urgent else 1) + int(draws[6] * (3 if urgent else 5))
            )
            self.push(convoked, self.convoke, alert, clinician, appointment)
            if draws[7] < 0.85:
                seen = self.at(appointment, 8.5 + 3.5 * draws[8])
                self.push(
                    max(seen, convoked + h),
                    self.consult,
                    self.consultation(v, alert, None, max(seen, convoked + h)),
                )
        elif outcome < 0.8:  # the family comes on its own
            seen = work(t0 + timedelta(hours=3 + 160 * draws[5]), 3 * draws[6])
            self.push(seen, self.consult, self.consultation(v, alert, None, seen))
        elif outcome < 0.92:
            self.push(
                ack + timedelta(hours=0.1 + 24 * draws[5]),
                self.close,
                alert,
                CloseReason.FALSE_ALARM,
                clinician,
            )
        # else: acknowledged, nothing more yet

    def follow_up_plan(self, referral: PReferral) -> dict[str, Any]:
        """Drawn now, used only if the referral is declared "not arrived"."""
        rng = self.rng
        return {
            "ack": 0.3 + 5.7 * rng.random(),
            "convoke": rng.random() < 0.6,
            "convoke_after": 5 + 55 * rng.random(),
            "appointment_days": rng.randint(0, 2),
            "false_alarm_after": 0.5 + 5.5 * rng.random(),
        }

    def consultation(
        self, v: PVisit, alert: PAlert | None, referral: PReferral | None, at: datetime
    ) -> dict[str, Any]:
        """What the consultation will write, and what may follow it (drawn now)."""
        rng = self.rng
        rule = alert.rule.code if alert else "danger_sign"
        codes = diagnoses_for(v, rule)
        severe = (
            bool(
                set(v.assessment.get("danger_signs") or [])
                & {
                    "convulsions",
                    "unusually_sleepy_or_unconscious",
                    "not_able_to_drink_or_feed",
                    "jaundice_severe",
                }
            )
            or v.kind == "pregnancy"
            or any(c in codes for c in ("E40", "O15.0", "O42"))
        )
        vitals = consultation_vitals(rng, v)
        follow = CHILD_FOLLOW_UP_DAYS.get(codes[0])
        if referral is not None:
            complaint = f"Référé·e par le relais : {referral.reason}"
        elif alert is not None:
            complaint = f"Convoqué·e après l'alerte « {alert.rule.title_fr} »."
        else:
            complaint = v.assessment.get("summary_fr", "")
        return {
            "visit": v,
            "codes": codes,
            "vitals": vitals,
            "complaint": complaint[:500],
            "examination": _examination(v),
            "treatment": " ".join(TREATMENT_FR.get(c, "") for c in codes).strip(),
            "follow_up_days": follow,
            "counter_refer": rng.random() < (0.9 if v.story == "seen_full" else 0.65),
            "counter_after": 1 + 29 * rng.random(),
            "close": rng.random() < 0.7 or v.story == "seen_full",
            "close_after": 2 + 70 * rng.random(),
            "csref": (severe and rng.random() < 0.3) or v.story == "seen_full",
            "csref_after": 0.5 + 1.5 * rng.random(),
            "csref_seen": 1 + 9 * rng.random(),
            "csref_counter": 24 + 72 * rng.random(),
            "csref_close": 2 + 46 * rng.random(),
            "csref_vitals": consultation_vitals(rng, v),
        }

    # --- playing the intentions (the services' rules, in memory) ---------------------------------

    def run(self) -> None:
        while self.heap:
            at, _, action, args = heapq.heappop(self.heap)
            if at > self.now:
                break
            action(at, *args)

    def ack(self, t: datetime, alert: PAlert, by: Any) -> None:
        if alert.status == AlertStatus.OPEN:
            alert.status = AlertStatus.ACKNOWLEDGED
            alert.acknowledged_at, alert.acknowledged_by = t, by
            alert.events.append(PEvent("acknowledged", t, by, {}))

    def convoke(self, t: datetime, alert: PAlert, by: Any, appointment: date) -> None:
        if alert.status == AlertStatus.CLOSED or appointment < t.astimezone(self.tz).date():
            return
        if alert.acknowledged_at is None:
            alert.acknowledged_at, alert.acknowledged_by = t, by
        alert.status = AlertStatus.CONVOKED
        alert.appointment_date = appointment
        alert.events.append(PEvent("convoked", t, by, {"appointment_date": appointment.isoformat()}))
        context = {
            "name": alert.member.full_name,
            "facility": self.directory.facility_names[alert.facility],
            "date": appointment.strftime("%d/%m/%Y"),
        }
        chw = self.directory.chws.get(alert.home.chw_id)
        for phone, who in ((chw.phone if chw else "", "chw"), (alert.home.phone, "family")):
            if phone:
                self.message(
                    "convocation", phone, context, f"alert:{alert.id}:convocation:{appointment}:{who}", t
                )

    def escalate(self, t: datetime, alert: PAlert) -> None:
        if alert.status != AlertStatus.OPEN or alert.escalated_at is not None:
            return
        alert.escalated_at = t
        alert.events.append(PEvent("escalated", t, None, {}))
        for manager in self.directory.managers.get(alert.facility, []):
            if manager.phone:
                self.message(
                    "escalation",
                    manager.phone,
                    {
                        "child": alert.member.full_name,
                        "reason": alert.rule.title_fr,
                        "hours": int(ESCALATION_DELAY.total_seconds() // 3600),
                    },
                    f"alert:{alert.id}:escalation:{manager.id}",
                    t,
                )

    def close(self, t: datetime, alert: PAlert, reason: str, by: Any) -> None:
        if alert.status == AlertStatus.CLOSED:
            return
        alert.status, alert.closed_at, alert.close_reason = AlertStatus.CLOSED, t, reason
        alert.events.append(PEvent("closed", t, by, {"reason": reason}))

    def close_stale_alerts(self) -> None:
        """A CSCom does not leave an alert open for weeks: close those the story left open.

        Acknowledged ones were seen at a later consultation, the others judged false alarms;
        the inbox of the demo then looks like a working one (recent alerts, every state).
        """
        limit = self.now - timedelta(days=STALE_ALERT_DAYS)
        for alert in self.plan.alerts:
            if alert.status != AlertStatus.CLOSED and alert.raised_at < limit:
                reason = CloseReason.SEEN if alert.acknowledged_at else CloseReason.FALSE_ALARM
                self.close(
                    alert.raised_at + timedelta(days=STALE_ALERT_CLOSED_AFTER_DAYS),
                    alert,
                    reason,
                    self.directory.clinician(alert.facility).id,
                )

    def close_all(self, t: datetime, member: Member, reason: str, by: Any) -> None:
        for alert in self.person_alerts(member):
            if alert.raised_at <= t:
                self.close(t, alert, reason, by)

    def close_all_home(self, t: datetime, home: Home, reason: str) -> None:
        for member in home.members:
            for alert in self.person_alerts(member):
                if alert.raised_at <= t:
                    self.close(t, alert, reason, self.directory.clinician(alert.facility).id)

    def overdue(self, t: datetime, referral: PReferral, plan: dict[str, Any]) -> None:
        """``referrals.services.mark_not_arrived`` and the CSCom's follow-up alert."""
        if referral.status != ReferralStatus.ISSUED:
            return
        referral.status = ReferralStatus.NOT_ARRIVED
        referral.events.append(PEvent("not_arrived", t, None, {}))
        facility = referral.to_facility
        if not self.directory.facility_is_cscom[facility]:
            facility = referral.from_facility or facility
        rule = REFERRAL_NOT_ARRIVED
        alert = PAlert(
            stable_uuid("alert", referral.id, rule.code),
            referral.member,
            referral.home,
            facility,
            rule,
            [referral.reason],
            t,
            referral=referral,
        )
        alert.events.append(PEvent("raised", t, None, {"rule": rule.code}))
        self.add_alert(alert)
        clinician = self.directory.clinician(facility).id
        ack = self.working(t + timedelta(hours=plan["ack"]), plan["ack"] / 2)
        self.push(ack, self.ack, alert, clinician)
        original = next(
            (
                a
                for a in self.person_alerts(referral.member)
                if a.referral is referral and a.rule.code != rule.code
            ),
            None,
        )
        if original is not None and original.close_reason == CloseReason.FALSE_ALARM:
            when = ack + timedelta(hours=plan["false_alarm_after"])
            self.push(when, self.close, alert, CloseReason.FALSE_ALARM, clinician)
            self.push(when + timedelta(minutes=2), self.close_referral_of, referral, clinician)
        elif plan["convoke"]:
            convoked = ack + timedelta(minutes=plan["convoke_after"])
            self.push(
                convoked,
                self.convoke,
                alert,
                clinician,
                convoked.astimezone(self.tz).date() + timedelta(days=plan["appointment_days"]),
            )

    def arrive(self, t: datetime, referral: PReferral, by: Any) -> None:
        if referral.status == ReferralStatus.ISSUED and not self.gone(referral.member, t):
            referral.status, referral.arrived_at = ReferralStatus.ARRIVED, t
            referral.events.append(PEvent("arrived", t, by, {}))

    def gone(self, member: Member, t: datetime) -> bool:
        died = self.plan.deaths.get(member.id)
        return died is not None and t.astimezone(self.tz).date() >= died

    def consult(self, t: datetime, spec: dict[str, Any], facility: Any = None, csref: bool = False) -> None:
        """``records.services.record_consultation``: sees the oldest open referral to this
        facility and closes the person's open alerts as "seen"."""
        v: PVisit = spec["visit"]
        member = v.member
        if self.gone(member, t):
            return
        moved = self.moves.get(v.home.id)
        if moved is not None and t.astimezone(self.tz).date() >= moved:
            return
        facility = facility or self.directory.cscom_of[v.home.health_area]
        by = self.directory.clinician(facility).id
        open_ = (ReferralStatus.ISSUED, ReferralStatus.ARRIVED, ReferralStatus.NOT_ARRIVED)
        candidates = [
            r
            for r in self.referrals_of.get(member.id, [])
            if r.to_facility == facility and r.status in open_ and r.issued_at <= t
        ]
        referral = min(candidates, key=lambda r: r.issued_at) if candidates else None
        consultation = PConsultation(
            stable_uuid("consultation", member.id, t.isoformat(), facility),
            member,
            facility,
            by,
            t,
            spec["complaint"],
            spec["examination"],
            spec["treatment"],
            spec["codes"],
            spec["csref_vitals"] if csref else spec["vitals"],
            (
                t.astimezone(self.tz).date() + timedelta(days=spec["follow_up_days"])
                if spec["follow_up_days"]
                else None
            ),
            referral,
        )
        self.plan.consultations.append(consultation)
        if referral is not None:
            referral.status, referral.seen_at = ReferralStatus.SEEN, t
            referral.arrived_at = referral.arrived_at or t
            referral.time_to_care = max(t - referral.issued_at, timedelta(0))
            referral.events.append(
                PEvent("seen", t, by, {"within_target": referral.time_to_care <= CARE_TARGET})
            )
        for alert in self.person_alerts(member):
            if alert.raised_at <= t:
                self.close(t, alert, CloseReason.SEEN, by)
        if referral is None:
            return
        h = timedelta(hours=1)
        if csref:
            self.push(t + spec["csref_counter"] * h, self.counter_refer, referral, by, spec["codes"])
            self.push(
                t + (spec["csref_counter"] + spec["csref_close"]) * h, self.close_referral_of, referral, by
            )
            return
        if spec["csref"] and self.directory.csref is not None:
            self.push(t + spec["csref_after"] * h, self.refer_csref, spec, referral, by)
        if spec["counter_refer"]:
            self.push(t + spec["counter_after"] * h, self.counter_refer, referral, by, spec["codes"])
            if spec["close"]:
                self.push(
                    t + (spec["counter_after"] + spec["close_after"]) * h,
                    self.close_referral_of,
                    referral,
                    by,
                )

    def refer_csref(self, t: datetime, spec: dict[str, Any], origin: PReferral, by: Any) -> None:
        """``referrals.services.refer_to_csref``: a severe case goes on to the CSRef."""
        csref = self.directory.csref
        labels = ", ".join(spec["codes"])
        referral = PReferral(
            stable_uuid("referral", origin.id, "csref"),
            origin.member,
            origin.home,
            csref,
            by,
            t,
            f"Cas sévère vu au CSCom ({labels}) : prise en charge au CSRef.",
            list(origin.findings),
            urgent=True,
            from_facility=origin.to_facility,
        )
        referral.events.append(PEvent("issued", t, by, {}))
        self.add_referral(referral)
        self.push(
            t + CARE_TARGET + timedelta(seconds=SCHEDULER_SECONDS // 2),
            self.overdue,
            referral,
            self.follow_up_plan_fixed(),
        )
        self.push(t + timedelta(hours=spec["csref_seen"]), self.consult, spec, csref, True)

    @staticmethod
    def follow_up_plan_fixed() -> dict[str, Any]:
        return {
            "ack": 1.0,
            "convoke": False,
            "convoke_after": 0,
            "appointment_days": 0,
            "false_alarm_after": 1.0,
        }

    def counter_refer(self, t: datetime, referral: PReferral, by: Any, codes: list[str]) -> None:
        if referral.status not in (ReferralStatus.SEEN, ReferralStatus.ARRIVED):
            return
        where = self.directory.facility_names[referral.to_facility]
        note = (
            f"Vu·e au {where} : {', '.join(codes)}. "
            f"{' '.join(TREATMENT_FR.get(c, '') for c in codes).strip()} "
            "Revoir à domicile dans 3 jours et vérifier la prise du traitement."
        )
        referral.status = ReferralStatus.COUNTER_REFERRED
        referral.counter_referral_note, referral.counter_referred_at = note, t
        referral.events.append(PEvent("counter_referred", t, by, {}))
        chw = self.directory.chws.get(referral.home.chw_id)
        if chw is not None and chw.phone:
            self.message(
                "referral_outcome",
                chw.phone,
                {"name": referral.member.full_name, "facility": where, "note": note[:80]},
                f"referral:{referral.id}:counter_referral",
                t,
            )

    def close_referral_of(self, t: datetime, referral: PReferral, by: Any) -> None:
        if referral.status in (ReferralStatus.ISSUED, ReferralStatus.ARRIVED, ReferralStatus.CLOSED):
            return
        referral.status, referral.closed_at = ReferralStatus.CLOSED, t
        referral.events.append(PEvent("closed", t, by, {}))

    # --- helpers -----------------------------------------------------------------------------

    def person_alerts(self, member: Member) -> list[PAlert]:
        return self.alerts_of.get(member.id, [])

    def add_alert(self, alert: PAlert) -> None:
        self.plan.alerts.append(alert)
        self.alerts_of.setdefault(alert.member.id, []).append(alert)

    def add_referral(self, referral: PReferral) -> None:
        self.plan.referrals.append(referral)
        self.referrals_of.setdefault(referral.member.id, []).append(referral)

    def notify_clinicians(self, alert: PAlert) -> None:
        """``alerts.services._notify_clinicians``: an SMS to each clinician of the CSCom."""
        from keneya.alerts.services import _age_text

        v = alert.visit
        chw = self.directory.chws.get(alert.home.chw_id)
        for clinician in self.directory.clinicians.get(alert.facility, []):
            if clinician.phone:
                self.message(
                    "urgent_alert",
                    clinician.phone,
                    {
                        "child": alert.member.full_name,
                        "age": _age_text(v.assessment if v else {}),
                        "reason": alert.rule.title_fr,
                        "chw": chw.full_name if chw else "",
                        "chw_phone": chw.phone if chw else "",
                    },
                    f"alert:{alert.id}:clinician:{clinician.id}",
                    alert.raised_at,
                )

    def message(self, template: str, to: str, context: dict[str, Any], key: str, at: datetime) -> None:
        self.plan.messages.append(PMessage(stable_uuid("outbox", key), template, to, context, key, at))


def weights_before(v: PVisit, weighed: list[PVisit]) -> list[tuple[date, float]]:
    """``visits.queries.weights_until``: the weighings up to this visit's date, as the database
    holds them when the visit arrives (received before it, or this visit)."""
    rows = sorted(
        (w for w in weighed if w.visit_date <= v.visit_date),
        key=lambda w: (w.visit_date, w.recorded_at),
        reverse=True,
    )[:6]
    seen: dict[date, float] = {}
    for w in rows:
        weight = w.measurements.get("weight_kg")
        if isinstance(weight, int | float) and w.visit_date not in seen:
            seen[w.visit_date] = float(weight)
    return sorted(seen.items())


def referral_reason(v: PVisit) -> str:
    """``referrals.services._reason_text``."""
    texts = [
        r.get("text_fr", "")
        for r in v.assessment.get("reasons", [])
        if ".DANGER." in r.get("rule", "") or ".CLASS." in r.get("rule", "")
    ]
    return (join_reasons(texts) or v.assessment.get("summary_fr", ""))[:300]


def consultation_vitals(rng: random.Random, v: PVisit) -> dict[str, Any]:
    f, m = v.findings, v.measurements
    vitals: dict[str, Any] = {}
    if v.kind in ("pregnancy",) or (v.kind == "postnatal" and v.assessment.get("age_days", 0) > 59):
        high = bool(
            set(v.assessment.get("danger_signs") or [])
            & {
                "severe_headache",
                "visual_disturbance",
                "swelling_face_or_hands",
                "convulsions",
                "severe_headache_or_blurred_vision",
            }
        )
        vitals["systolic_bp"] = rng.randint(150, 175) if high else rng.randint(100, 130)
        vitals["diastolic_bp"] = rng.randint(98, 115) if high else rng.randint(60, 85)
        vitals["temperature_c"] = Decimal(str(round(rng.uniform(36.4, 37.2), 1)))
        vitals["heart_rate"] = rng.randint(72, 104)
        return vitals
    temp = f.get("temperature_c")
    vitals["temperature_c"] = Decimal(
        str(
            round(
                temp - rng.uniform(0, 0.6)
                if isinstance(temp, int | float) and temp >= 37.5
                else rng.uniform(36.4, 37.3),
                1,
            )
        )
    )
    if isinstance(m.get("weight_kg"), int | float):
        vitals["weight_kg"] = Decimal(str(m["weight_kg"]))
    if isinstance(f.get("respiratory_rate"), int):
        vitals["respiratory_rate"] = max(10, f["respiratory_rate"] + rng.randint(-4, 4))
        vitals["spo2"] = rng.randint(88, 96) if f.get("chest_indrawing") else rng.randint(95, 99)
    if isinstance(m.get("muac_mm"), int):
        vitals["muac_mm"] = m["muac_mm"] + rng.randint(-2, 2)
    vitals["heart_rate"] = rng.randint(95, 150)
    return vitals


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _normal(u1: float, u2: float) -> float:
    """A standard normal from two uniforms (Box-Muller), so that the draw count is fixed."""
    return math.sqrt(-2 * math.log(max(u1, 1e-12))) * math.cos(2 * math.pi * u2)


def _weekday(day: date, *, sunday: bool = False) -> date:
    """Relais do not do routine visits on Sundays (a sick child is seen any day)."""
    if day.weekday() == 6 and not sunday:
        return day - timedelta(days=1)
    return day


def plan_closed_loop(
    subjects: Subjects, directory: Directory, *, seed: int | str, today: date, now: datetime, tz: tzinfo
) -> ClosedLoopPlan:
    """Plan the visits and everything they led to, up to ``now`` (pure, seeded)."""
    planner = _Planner(subjects, directory, seed=seed, today=today, now=now, tz=tz)
    planner.registry_moves()
    planner.choose_stories()
    for home in subjects.homes:
        visits = planner.home_visits(home)
        by_person: dict[uuid.UUID, list[PVisit]] = {}
        for v in visits:
            by_person.setdefault(v.member.id, []).append(v)
        for person_visits in by_person.values():
            planner.assess(person_visits)
        planner.plan.visits += visits
    for home in subjects.homes:  # the relais reports the move; open alerts are closed
        moved = planner.moves.get(home.id)
        if moved is not None:
            report = planner.at(moved + timedelta(days=planner.rng.randint(2, 10)), 10)
            planner.push(report, planner.close_all_home, home, CloseReason.MOVED)
            if home.status == HouseholdStatus.ACTIVE:
                planner.plan.moves[home.id] = moved
    planner.check_stories()
    planner.run()
    planner.close_stale_alerts()
    return planner.plan


# --- the database side ----------------------------------------------------------------------------


def load_directory() -> Directory:
    """Facilities and staff of the demo, read back after ``seed._create_users``."""
    from keneya.accounts.models import Role, User
    from keneya.core.models import Facility, FacilityKind

    facilities = list(Facility.objects.filter(code__in=district.DEMO_FACILITY_CODES))
    cscom_of = {}
    for ha in district.HEALTH_AREAS:  # alerts.services.cscom_ids_of_quartiers
        cscom = (
            Facility.objects.filter(kind=FacilityKind.CSCOM, health_area__code=ha.code)
            .order_by("code")
            .first()
        )
        if cscom is None:
            raise RuntimeError(f"no CSCom for the health area {ha.code}")
        cscom_of[ha.code] = cscom.pk
    csref = next((f.pk for f in facilities if f.kind == FacilityKind.CSREF), None)
    clinicians: dict[Any, list[StaffMember]] = {}
    managers: dict[Any, list[StaffMember]] = {}
    staff = (
        User.objects.filter(facility__in=[f.pk for f in facilities], is_active=True)
        .exclude(role=Role.CHW)
        .order_by("username")
    )
    for user in staff:
        member = StaffMember(user.pk, user.phone, user.get_full_name())
        if user.role in (Role.CLINICIAN, Role.SPECIALIST):
            clinicians.setdefault(user.facility_id, []).append(member)
        elif user.role == Role.FACILITY_MANAGER:
            managers.setdefault(user.facility_id, []).append(member)
    chws = {
        u.pk: StaffMember(u.pk, u.phone, u.get_full_name())
        for u in User.objects.filter(role=Role.CHW, facility__in=[f.pk for f in facilities])
    }
    return Directory(
        cscom_of=cscom_of,
        csref=csref,
        clinicians=clinicians,
        managers=managers,
        chws=chws,
        facility_names={f.pk: f.name for f in facilities},
        facility_is_cscom={f.pk: f.kind == FacilityKind.CSCOM for f in facilities},
    )


class _ExplicitTimestamps:
    """Lets ``bulk_create`` keep the planned ``auto_now_add`` times (recorded_at, created_at)."""

    def __init__(self, fields: list[Any]) -> None:
        self.fields = fields
        self.saved: list[tuple[Any, bool]] = []

    def __enter__(self) -> None:
        self.saved = [(f, f.auto_now_add) for f in self.fields]
        for f in self.fields:
            f.auto_now_add = False

    def __exit__(self, *exc: object) -> None:
        for f, value in self.saved:
            f.auto_now_add = value


@dataclass
class WriteCounts:
    visits: int = 0
    observations: int = 0
    alerts: int = 0
    alert_events: int = 0
    referrals: int = 0
    referral_events: int = 0
    consultations: int = 0
    diagnoses: int = 0
    messages: int = 0
    deaths: int = 0
    moves: int = 0


def write_closed_loop(
    plan: ClosedLoopPlan, *, history: bool, history_reason: str, batch_size: int = 1000
) -> WriteCounts:
    """Bulk-insert the plan (inside the caller's transaction)."""
    from keneya.accounts.models import User
    from keneya.alerts.models import Alert, AlertEvent
    from keneya.notifications.messages import render
    from keneya.notifications.models import Channel, OutboxMessage, OutboxStatus
    from keneya.people.models import Household, Person
    from keneya.records.icd10 import lookup
    from keneya.records.models import Consultation, Diagnosis
    from keneya.referrals.models import Referral, ReferralEvent
    from keneya.visits.models import Observation, Visit
    from keneya.visits.services import _observations  # the service's own mapping

    counts = WriteCounts()
    stamped = [
        Visit._meta.get_field("recorded_at"),
        Observation._meta.get_field("recorded_at"),
        Consultation._meta.get_field("recorded_at"),
        OutboxMessage._meta.get_field("created_at"),
    ]
    with _ExplicitTimestamps(stamped):
        users: dict[Any, Any] = {}
        visit_rows: list[Visit] = []
        observation_rows: list[Observation] = []
        for v in plan.visits:
            assert v.recorded_at is not None
            row = Visit(
                id=v.id,
                person_id=v.member.id,
                household_id=v.home.id,
                chw_id=v.home.chw_id,
                kind=v.kind,
                visit_date=v.visit_date,
                findings=v.findings,
                measurements=v.measurements,
                assessment=v.assessment,
                engine_version=ENGINE_VERSION,
                urgent=v.urgent,
                action=v.assessment["action"],
                follow_up_days=v.assessment["follow_up_days"],
                recorded_at=v.recorded_at,
            )
            visit_rows.append(row)
            by = users.setdefault(v.home.chw_id, User(pk=v.home.chw_id))
            for i, obs in enumerate(_observations(row, by)):
                observation_rows.append(
                    Observation(**obs, id=stable_uuid("observation", v.id, i), recorded_at=v.recorded_at)
                )
        Visit.objects.bulk_create(visit_rows, batch_size=batch_size)
        Observation.objects.bulk_create(observation_rows, batch_size=batch_size)
        counts.visits, counts.observations = len(visit_rows), len(observation_rows)

        Referral.objects.bulk_create(
            [
                Referral(
                    id=r.id,
                    person_id=r.member.id,
                    visit_id=r.visit.id if r.visit else None,
                    from_facility_id=r.from_facility,
                    to_facility_id=r.to_facility,
                    issued_by_id=r.issued_by,
                    issued_at=r.issued_at,
                    urgent=r.urgent,
                    reason=r.reason,
                    findings=r.findings,
                    status=r.status,
                    arrived_at=r.arrived_at,
                    seen_at=r.seen_at,
                    time_to_care=r.time_to_care,
                    counter_referral_note=r.counter_referral_note,
                    counter_referred_at=r.counter_referred_at,
                    closed_at=r.closed_at,
                )
                for r in plan.referrals
            ],
            batch_size=batch_size,
        )
        ReferralEvent.objects.bulk_create(
            [
                ReferralEvent(referral_id=r.id, kind=e.kind, at=e.at, by_id=e.by, data=e.data)
                for r in plan.referrals
                for e in r.events
            ],
            batch_size=batch_size,
        )
        counts.referrals = len(plan.referrals)
        counts.referral_events = sum(len(r.events) for r in plan.referrals)

        Alert.objects.bulk_create(
            [
                Alert(
                    id=a.id,
                    person_id=a.member.id,
                    facility_id=a.facility,
                    visit_id=a.visit.id if a.visit else None,
                    referral_id=a.referral.id if a.referral else None,
                    rule=a.rule.code,
                    priority=a.rule.priority,
                    priority_rank=PRIORITY_RANK[a.rule.priority],  # type: ignore[index]
                    status=a.status,
                    title=a.rule.title_fr,
                    findings=a.findings,
                    source=a.rule.source,
                    raised_at=a.raised_at,
                    acknowledged_at=a.acknowledged_at,
                    acknowledged_by_id=a.acknowledged_by,
                    appointment_date=a.appointment_date,
                    escalated_at=a.escalated_at,
                    closed_at=a.closed_at,
                    close_reason=a.close_reason,
                )
                for a in plan.alerts
            ],
            batch_size=batch_size,
        )
        AlertEvent.objects.bulk_create(
            [
                AlertEvent(alert_id=a.id, kind=e.kind, at=e.at, by_id=e.by, data=e.data)
                for a in plan.alerts
                for e in sorted(a.events, key=lambda e: e.at)
            ],
            batch_size=batch_size,
        )
        counts.alerts = len(plan.alerts)
        counts.alert_events = sum(len(a.events) for a in plan.alerts)

        consultations, diagnoses = [], []
        for c in plan.consultations:
            consultations.append(
                Consultation(
                    id=c.id,
                    person_id=c.member.id,
                    facility_id=c.facility,
                    clinician_id=c.clinician,
                    referral_id=c.referral.id if c.referral else None,
                    consulted_at=c.consulted_at,
                    complaint=c.complaint,
                    examination=c.examination,
                    treatment=c.treatment,
                    follow_up_date=c.follow_up_date,
                    recorded_at=c.consulted_at,
                    **c.vitals,
                )
            )
            for code in c.diagnoses:
                entry = lookup(code)
                if entry is None:
                    raise RuntimeError(f"demo diagnosis {code} is not in the ICD-10 subset")
                diagnoses.append(Diagnosis(consultation_id=c.id, icd10_code=entry.code, label=entry.label))
        Consultation.objects.bulk_create(consultations, batch_size=batch_size)
        Diagnosis.objects.bulk_create(diagnoses, batch_size=batch_size)
        counts.consultations, counts.diagnoses = len(consultations), len(diagnoses)

        # Sent long ago: the outbox worker never picks a "sent" row up again.
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    id=m.id,
                    channel=Channel.SMS,
                    recipient=m.recipient,
                    template=m.template,
                    body=render(m.template, m.context),
                    context=m.context,
                    dedup_key=m.dedup_key,
                    status=OutboxStatus.SENT,
                    attempts=1,
                    next_attempt_at=m.at,
                    created_at=m.at,
                    sent_at=m.at + timedelta(seconds=4),
                )
                for m in plan.messages
            ],
            batch_size=batch_size,
        )
        counts.messages = len(plan.messages)

    if plan.deaths:
        persons = list(Person.objects.filter(pk__in=list(plan.deaths)))
        for person in persons:
            person.vital_status = VitalStatus.DECEASED
            person.date_of_death = plan.deaths[person.pk]
        _bulk_update(Person, persons, ["vital_status", "date_of_death"], history, history_reason)
        counts.deaths = len(persons)
    if plan.moves:
        households = list(Household.objects.filter(pk__in=list(plan.moves)))
        for household in households:
            household.status = HouseholdStatus.MOVED
        _bulk_update(Household, households, ["status"], history, history_reason)
        counts.moves = len(households)
    return counts


def _bulk_update(model: Any, objs: list[Any], fields: list[str], history: bool, reason: str) -> None:
    if history:
        from simple_history.utils import bulk_update_with_history

        bulk_update_with_history(objs, model, fields, default_change_reason=reason)
    else:
        model.objects.bulk_update(objs, fields)


def delete_closed_loop(
    *, quartier_ids: list[Any], facility_ids: list[Any], user_ids: list[Any]
) -> dict[str, int]:
    """Remove the visits and all that hangs off the demo's persons, facilities and users.

    Raw DELETEs with subqueries (no signals), in foreign-key order; sync rows first (they are
    found through the objects), the outbox by its dedup keys.
    """
    from django.apps import apps
    from django.db.models import Q

    from keneya.alerts.models import Alert, AlertEvent
    from keneya.notifications.models import OutboxMessage
    from keneya.people.models import Household, Person
    from keneya.records.models import Anonymisation, BreakGlassGrant, Consultation, Diagnosis, RecordAccess
    from keneya.referrals.models import Referral, ReferralEvent
    from keneya.visits.models import Observation, Visit

    households = Household.objects.filter(quartier_id__in=quartier_ids).values("id")
    persons = Person.objects.filter(household_id__in=households).values("id")
    visits = Visit.objects.filter(Q(person_id__in=persons) | Q(chw_id__in=user_ids))
    alerts = Alert.objects.filter(Q(person_id__in=persons) | Q(facility_id__in=facility_ids))
    referrals = Referral.objects.filter(
        Q(person_id__in=persons) | Q(to_facility_id__in=facility_ids) | Q(from_facility_id__in=facility_ids)
    )
    consultations = Consultation.objects.filter(Q(person_id__in=persons) | Q(facility_id__in=facility_ids))
    counts: dict[str, int] = {}

    keys = {f"alert:{pk}" for pk in alerts.values_list("pk", flat=True)}
    keys |= {f"referral:{pk}" for pk in referrals.values_list("pk", flat=True)}
    outbox = [
        pk
        for pk, key in OutboxMessage.objects.filter(
            Q(dedup_key__startswith="alert:") | Q(dedup_key__startswith="referral:")
        )
        .values_list("pk", "dedup_key")
        .iterator()
        if ":".join(key.split(":", 2)[:2]) in keys
    ]

    if apps.is_installed("keneya.sync"):
        ids = (
            Q(object_id__in=persons)
            | Q(object_id__in=households)
            | Q(object_id__in=visits.values("id"))
            | Q(object_id__in=alerts.values("id"))
            | Q(object_id__in=referrals.values("id"))
        )
        for name, extra in (("ChangeLog", Q(chw_id__in=user_ids)), ("FieldClock", Q())):
            try:
                model = apps.get_model("sync", name)
            except LookupError:
                continue
            counts[f"sync_{name.lower()}"] = _raw_delete(model.objects.filter(ids | extra))
        try:
            device = apps.get_model("sync", "Device")
            devices = device.objects.filter(Q(user_id__in=user_ids) | Q(revoked_by_id__in=user_ids)).values(
                "id"
            )
            for name, q in (
                (
                    "SyncConflict",
                    Q(household_id__in=households)
                    | Q(resolved_by_id__in=user_ids)
                    | Q(incoming_device_id__in=devices)
                    | Q(server_device_id__in=devices),
                ),
                ("PushBatch", Q(device_id__in=devices)),
            ):
                model = apps.get_model("sync", name)
                counts[f"sync_{name.lower()}"] = _raw_delete(model.objects.filter(q))
            # FieldClock.device points at devices too.
            clock = apps.get_model("sync", "FieldClock")
            _raw_delete(clock.objects.filter(device_id__in=devices))
            counts["sync_device"] = _raw_delete(device.objects.filter(id__in=devices))
        except LookupError:
            pass

    counts["alert_events"] = _raw_delete(AlertEvent.objects.filter(alert_id__in=alerts.values("id")))
    counts["alerts"] = _raw_delete(alerts)
    counts["diagnoses"] = _raw_delete(
        Diagnosis.objects.filter(consultation_id__in=consultations.values("id"))
    )
    counts["consultations"] = _raw_delete(consultations)
    counts["referral_events"] = _raw_delete(
        ReferralEvent.objects.filter(referral_id__in=referrals.values("id"))
    )
    counts["referrals"] = _raw_delete(referrals)
    counts["observations"] = _raw_delete(
        Observation.objects.filter(Q(visit_id__in=visits.values("id")) | Q(person_id__in=persons))
    )
    counts["visits"] = _raw_delete(visits)
    counts["record_accesses"] = _raw_delete(
        RecordAccess.objects.filter(Q(person_id__in=persons) | Q(user_id__in=user_ids))
    )
    counts["break_glass"] = _raw_delete(
        BreakGlassGrant.objects.filter(Q(person_id__in=persons) | Q(user_id__in=user_ids))
    )
    counts["anonymisations"] = _raw_delete(
        Anonymisation.objects.filter(Q(person_id__in=persons) | Q(by_id__in=user_ids))
    )
    counts["outbox"] = 0
    for start in range(0, len(outbox), 500):
        counts["outbox"] += _raw_delete(OutboxMessage.objects.filter(pk__in=outbox[start : start + 500]))
    return counts


def _raw_delete(qs: Any) -> int:
    return int(qs._raw_delete(qs.db) or 0)
