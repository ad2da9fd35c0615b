"""Six months of home visits for the demo district: planned with a seed, then bulk-written.

Planning is pure Python and seeded (``plan_closed_loop``); writing is bulk (``write_visits``,
the rows the visit service writes: ``tests/test_play.py`` proves it); what followed the visits
(alerts, referrals, consultations, SMS) is replayed through the services (``keneya.demo.play``).

What is planned, for the households of the registry seed (``Subjects`` collects them):

- monthly follow-ups of most children under 5: weight and MUAC every month, length/height every
  third month, drawn around the WHO medians (``clinical.growth`` LMS tables) with stunting, some
  wasting and a few growth-faltering curves; the vaccination card copied at the visits
  (``keneya.demo.vaccines``, coverage like Bamako's);
- sick-child visits (iCCM): mostly cough and colds, diarrhoea, RDT+ malaria treated at home; some
  with danger signs (chest indrawing, convulsions, unable to drink, MUAC red…); a few sick young
  infants;
- pregnancy visits (LMP) for the mothers of the babies born in the window and for women pregnant
  today; postnatal visits of some newborns and their mothers.

Every visit stores the real engine result (``clinical.visit.assess_home_visit``) and the time it
reached the server. A few scripted stories make sure every CSCom inbox shows a fresh urgent
alert, an escalated one, an acknowledged one and a convoked one, and that every close reason
occurs (``keneya.demo.play`` checks that the services raised what each story needs).

Determinism: ids are ``uuid5`` names and the draws do not depend on "now", so the same seed and
the same date give the same visits.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from keneya.clinical import ENGINE_VERSION
from keneya.clinical.ages import age_days, completed_months
from keneya.clinical.growth import tables
from keneya.clinical.visit import assess_home_visit
from keneya.demo import district, vaccines
from keneya.demo.generate import DemoHousehold
from keneya.people.models import HouseholdStatus, Relationship, Sex, VitalStatus

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


@dataclass
class ClosedLoopPlan:
    """The visits of the window (assessed, with their times), and the families who moved."""

    today: date
    now: datetime
    visits: list[PVisit] = field(default_factory=list)
    moves: dict[uuid.UUID, date] = field(default_factory=dict)  # active household -> moved on
    moves_on: dict[uuid.UUID, date] = field(default_factory=dict)  # every household that moved
    move_reports: dict[uuid.UUID, tuple[Home, datetime]] = field(default_factory=dict)


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
    # Pneumonia: fast breathing (treated at home), or chest indrawing, a danger sign since the
    # engine's 1.1.0 (clinical-rules.md §1.4): severe pneumonia at the CSCom.
    if "fast_breathing" in classes or "chest_indrawing" in danger:
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
INBOX_STORIES = ("open_urgent", "escalated", "acknowledged", "convoked")
DISTRICT_STORIES = ("seen_full", "false_alarm", "deceased", "moved")


class _Planner:
    def __init__(
        self,
        subjects: Subjects,
        *,
        seed: int | str,
        today: date,
        now: datetime,
        tz: tzinfo,
    ) -> None:
        self.subjects = subjects
        self.rng = random.Random(f"{seed}:closed-loop")
        self.seed = seed
        self.today = today
        self.now = now
        self.tz = tz
        self.start = subjects.window_start
        self.plan = ClosedLoopPlan(today=today, now=now)
        self.stories: dict[uuid.UUID, str] = {}
        self.moves: dict[uuid.UUID, date] = {}  # household -> moved on (registry or story)

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
        card = random.Random(f"{self.seed}:vaccines:{m.id}")
        vaccines.copy_cards(
            list(out.values()), vaccines.doses_given(card, date_of_birth=dob, until=self.today)
        )
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

    # --- the engine's assessment ------------------------------------------------------------

    def assess(self, visits: list[PVisit]) -> None:
        for v in sorted(visits, key=lambda v: v.visit_date):
            v.assessment = assess_home_visit(
                kind=v.kind,
                sex=v.member.sex,
                date_of_birth=v.member.date_of_birth,
                visit_date=v.visit_date,
                # the card is not the engine's (visits.services._prepare leaves it out too)
                findings={k: x for k, x in v.findings.items() if k != vaccines.VACCINES_FINDING},
                measurements=v.measurements,
            )
            self.timestamps(v)


def consultation_spec(
    rng: random.Random,
    v: PVisit,
    *,
    rule: str,
    alert_title: str | None = None,
    referral_reason: str | None = None,
) -> dict[str, Any]:
    """What a consultation after visit ``v`` will write, and what may follow it (drawn now)."""
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
    if referral_reason is not None:
        complaint = f"Référé·e par le relais : {referral_reason}"
    elif alert_title is not None:
        complaint = f"Convoqué·e après l'alerte « {alert_title} »."
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


def _weekday(day: date, *, sunday: bool = False) -> date:
    """Relais do not do routine visits on Sundays (a sick child is seen any day)."""
    if day.weekday() == 6 and not sunday:
        return day - timedelta(days=1)
    return day


def plan_closed_loop(
    subjects: Subjects, *, seed: int | str, today: date, now: datetime, tz: tzinfo
) -> ClosedLoopPlan:
    """Plan the visits of the window, assessed by the engine, and the moves (pure, seeded)."""
    planner = _Planner(subjects, seed=seed, today=today, now=now, tz=tz)
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
            planner.plan.moves_on[home.id] = moved
            planner.plan.move_reports[home.id] = (home, report)
            if home.status == HouseholdStatus.ACTIVE:
                planner.plan.moves[home.id] = moved
    return planner.plan


# --- the database side ----------------------------------------------------------------------------


@contextmanager
def quiet_queries() -> Iterator[None]:
    """No query log while the demo is written, even with DEBUG on: Django's debug cursor formats
    every statement and its parameters into ``connection.queries`` (seconds over a seed). On
    SQLite, a page cache that holds the whole seed (the default, 2 MB, spills to disk)."""
    from django.db import connection

    connection.make_debug_cursor = connection.make_cursor  # type: ignore[method-assign,assignment]
    if connection.vendor == "sqlite":  # the seed is one transaction: keep its pages in memory
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MB at most, this connection
    try:
        yield
    finally:
        del connection.make_debug_cursor


@dataclass
class WriteCounts:
    visits: int = 0
    observations: int = 0
    alerts: int = 0
    referrals: int = 0
    consultations: int = 0
    messages: int = 0
    deaths: int = 0
    moves: int = 0


def visit_rows(plan: ClosedLoopPlan) -> dict[uuid.UUID, Any]:
    """The visits as ``visits.services.record_home_visits`` stores them (``_prepare``): the
    recording CHW, the engine's assessment and its version, ``recorded_at`` when it arrived.
    Instances with their person, household and CHW loaded, for the alert service later."""
    from keneya.accounts.models import User
    from keneya.people.models import Person

    persons = Person.objects.select_related("household").in_bulk({v.member.id for v in plan.visits})
    chws = User.objects.in_bulk({v.home.chw_id for v in plan.visits})
    from keneya.visits.models import Visit

    rows = {}
    for v in plan.visits:
        assert v.recorded_at is not None
        rows[v.id] = Visit(
            id=v.id,
            person=persons[v.member.id],
            household_id=v.home.id,
            chw=chws[v.home.chw_id],
            kind=v.kind,
            visit_date=v.visit_date,
            findings=dict(v.findings),
            measurements=dict(v.measurements),
            assessment=v.assessment,
            engine_version=ENGINE_VERSION,
            urgent=v.assessment["urgent_referral"],
            action=v.assessment["action"],
            follow_up_days=v.assessment["follow_up_days"],
            device_assessment_mismatch=False,
            recorded_at=v.recorded_at,
        )
    return rows


def write_visits(plan: ClosedLoopPlan, rows: dict[uuid.UUID, Any]) -> tuple[int, int]:
    """Bulk-write the visits, their observations (the visit service's own mapping,
    ``visits.services._observations``) and their change-log rows (``sync.changelog``)."""
    from keneya.demo.fastinsert import complete_rows, insert_rows
    from keneya.sync.changelog import record_changes_for
    from keneya.visits.models import Observation, Visit
    from keneya.visits.services import _observations

    visit_fields = [f.attname for f in Visit._meta.concrete_fields]
    insert_rows(Visit, [{name: getattr(row, name) for name in visit_fields} for row in rows.values()])
    for row in rows.values():
        row._state.adding = False
    observations: list[dict[str, Any]] = []
    for v in plan.visits:
        row = rows[v.id]
        for i, obs in enumerate(_observations(row, row.chw)):
            # the visit's own (uuid5) id with the low bits changed: unique, stable, no hashing
            obs_id = uuid.UUID(int=v.id.int ^ (i + 1))
            observations.append({**obs, "id": obs_id, "recorded_at": v.recorded_at})
    insert_rows(Observation, complete_rows(Observation, observations))
    record_changes_for([(row.person.household.chw_id, "visit", row.pk) for row in rows.values()])
    return len(rows), len(observations)


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
