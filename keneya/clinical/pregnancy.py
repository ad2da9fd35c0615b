"""Pregnancy, postpartum and newborn: dating, contact schedules and danger signs.

Sources (clinical-rules.md v1, section 4): WHO 2016 ANC recommendations (8 contacts; SMART ANC
DAK ANCS01 and the ANC.DT.01 quick check), WHO PCPNC 2015, WHO 2013 and 2022 postnatal care
recommendations; newborn danger signs are the young-infant signs of section 1.6 (``iccm``).
Schedules, windows, sign lists, French texts and sources: ``data/pregnancy_rules.json``
(``PREGNANCY_RULES_VERSION``); the [U] choices are in ``PregnancyConfig``.

Dating: ``GA_weeks = floor((on - LMP) / 7)``, ``EDD = LMP + 280 days``. A given EDD (e.g. from
an ultrasound before 24 weeks) overrides the LMP: ``LMP = EDD - 280 days``.

Contact schedules (ANC contacts 1-8 at 12, 20, 26, 30, 34, 36, 38, 40 weeks; PNC within 24 h,
day 3, days 7-14, 6 weeks). Each contact has a window ``[due_from, overdue_until]``; the windows
follow each other without gaps or overlaps:

- ANC: contact k is due from ``max(target(k-1) + 1 day, target(k) - 14 days)`` (contact 1 from
  the LMP), its target is ``LMP + 7 x week(k)``; contact 8 stays overdue 7 days (41 weeks).
- PNC: contact k is due from its first day to its last day; PNC4 stays overdue 14 days.
- ``overdue_until`` is the day before the next contact becomes due (the next contact then
  replaces it: the missed one is ``missed``).
- A contact done on date d counts for the contact whose window holds d (late counts, early does
  not); a second contact in the same window is listed in ``extra_contacts``.
- Status on ``on``: ``done``, ``upcoming`` (before due_from), ``due`` (up to the target),
  ``overdue`` (up to overdue_until), ``missed``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from keneya.clinical.ages import YOUNG_INFANT_MAX_DAYS, check_date
from keneya.clinical.iccm import IccmConfig, classify_sick_child
from keneya.clinical.reasons import Reason

_RULES: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "pregnancy_rules.json").read_text("utf-8")
)
PREGNANCY_RULES_VERSION: str = _RULES["version"]
_CITATIONS: dict[str, str] = _RULES["citations"]

# EDD = LMP + 280 days (WHO 2016 ANC) [H].
PREGNANCY_LENGTH_DAYS: int = _RULES["pregnancy_length_days"]["value"]
# Beyond 44 weeks since the LMP the pregnancy has ended: refuse (design choice).
MAX_GESTATIONAL_AGE_DAYS: int = _RULES["max_gestational_age_days"]["value"]
_ANC = _RULES["anc"]
# WHO 2016 8-contact model: 12 (up to), 20, 26, 30, 34, 36, 38, 40 weeks [H; U for Mali].
ANC_CONTACT_WEEKS: tuple[int, ...] = tuple(_ANC["contact_weeks"]["value"])
# Return at 41 weeks if not delivered (WHO 2016) [M].
POST_TERM_CHECK_WEEK: int = _ANC["post_term_check_week"]["value"]
PNC_CONTACTS: tuple[dict[str, Any], ...] = tuple(_RULES["pnc"]["contacts"])
PREGNANCY_DANGER_SIGNS: tuple[str, ...] = tuple(_RULES["pregnancy_danger_signs"])
POSTPARTUM_DANGER_SIGNS: tuple[str, ...] = tuple(_RULES["postpartum_danger_signs"])
POSTPARTUM_SAME_DAY_SIGNS: tuple[str, ...] = tuple(_RULES["postpartum_same_day_signs"])
CONTACT_STATUSES = ("done", "due", "overdue", "missed", "upcoming")


@dataclass(frozen=True, slots=True)
class PregnancyConfig:
    """The [U] choices of section 4 (defaults in pregnancy_rules.json)."""

    anc_contact_weeks: tuple[int, ...] = ANC_CONTACT_WEEKS  # Mali may keep 4 CPN [U]
    anc_due_window_days: int = _ANC["due_window_days"]["default"]
    anc_last_contact_grace_days: int = _ANC["last_contact_grace_days"]["default"]
    pnc_last_contact_grace_days: int = _RULES["pnc"]["last_contact_grace_days"]["default"]
    # Swelling of face or hands, leaking fluid, reduced fetal movements: not WHO [U].
    national_additions: bool = _RULES["national_additions_default"]["default"]

    def __post_init__(self) -> None:
        weeks = self.anc_contact_weeks
        if (
            not isinstance(weeks, tuple)
            or not weeks
            or any(isinstance(w, bool) or not isinstance(w, int) for w in weeks)
            or list(weeks) != sorted(set(weeks))
            or not 0 < weeks[0] <= weeks[-1] <= 44
        ):
            raise ValueError(f"anc_contact_weeks: expected increasing weeks 1-44, got {weeks!r}")
        for name in ("anc_due_window_days", "anc_last_contact_grace_days", "pnc_last_contact_grace_days"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"{name}: expected an integer >= 0, got {v!r}")
        if not isinstance(self.national_additions, bool):
            raise ValueError("national_additions: expected True or False")


DEFAULT_CONFIG = PregnancyConfig()


def _config(config: PregnancyConfig | None) -> PregnancyConfig:
    if config is None:
        return DEFAULT_CONFIG
    if not isinstance(config, PregnancyConfig):
        raise ValueError(f"config: expected a PregnancyConfig, got {type(config).__name__}")
    return config


# --- dating ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GestationalAge:
    lmp: date
    edd: date
    days: int  # on - LMP
    weeks: int  # floor(days / 7)
    extra_days: int  # days % 7: GA is "weeks + extra_days"

    def as_dict(self) -> dict[str, Any]:
        return {
            "lmp": self.lmp.isoformat(),
            "edd": self.edd.isoformat(),
            "days": self.days,
            "weeks": self.weeks,
            "extra_days": self.extra_days,
        }


def gestational_age(*, on: date, lmp: date | None = None, edd: date | None = None) -> GestationalAge:
    """GA on ``on`` from the LMP, or from the EDD (which wins when both are given)."""
    check_date(on, "on")
    if edd is not None:
        check_date(edd, "edd")
        lmp = edd - timedelta(days=PREGNANCY_LENGTH_DAYS)
    elif lmp is not None:
        check_date(lmp, "lmp")
    else:
        raise ValueError("lmp: give the last menstrual period (lmp) or the due date (edd)")
    days = (on - lmp).days
    if days < 0:
        raise ValueError(f"on: {on.isoformat()} is before the LMP {lmp.isoformat()}")
    if days > MAX_GESTATIONAL_AGE_DAYS:
        raise ValueError(
            f"on: {days // 7} weeks since the LMP (> {MAX_GESTATIONAL_AGE_DAYS // 7}): the "
            "pregnancy has ended, record its outcome"
        )
    return GestationalAge(
        lmp=lmp,
        edd=lmp + timedelta(days=PREGNANCY_LENGTH_DAYS),
        days=days,
        weeks=days // 7,
        extra_days=days % 7,
    )


# --- contact schedules ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduledContact:
    code: str  # ANC1..ANC8, PNC1..PNC4
    number: int
    label_fr: str
    due_from: date
    target_date: date  # ANC: LMP + 7 x week; PNC: last day of the recommended window
    overdue_until: date  # last day it counts; missed after
    status: str  # one of CONTACT_STATUSES
    done_on: date | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "number": self.number,
            "label_fr": self.label_fr,
            "due_from": self.due_from.isoformat(),
            "target_date": self.target_date.isoformat(),
            "overdue_until": self.overdue_until.isoformat(),
            "status": self.status,
            "done_on": None if self.done_on is None else self.done_on.isoformat(),
        }


def _next(contacts: tuple[ScheduledContact, ...]) -> ScheduledContact | None:
    return next((c for c in contacts if c.status in ("due", "overdue", "upcoming")), None)


def _dates(values: Iterable[date], start: date, on: date, field: str) -> list[date]:
    if isinstance(values, str | bytes | date):
        raise ValueError(f"{field}: expected a list of dates")
    out = []
    for d in values:
        check_date(d, field)
        if d < start or d > on:
            raise ValueError(f"{field}: {d.isoformat()} is outside {start.isoformat()}..{on}")
        out.append(d)
    return sorted(out)


def _match(
    windows: list[tuple[str, int, str, date, date, date]], done: list[date], on: date
) -> tuple[tuple[ScheduledContact, ...], tuple[date, ...]]:
    """windows: (code, number, label, due_from, target, overdue_until), contiguous and ordered."""
    done_on: dict[str, date] = {}
    extra: list[date] = []
    for d in done:
        window = next((w for w in windows if w[3] <= d <= w[5]), None)
        if window is None or window[0] in done_on:
            extra.append(d)
        else:
            done_on[window[0]] = d
    contacts = []
    for code, number, label, due_from, target, overdue_until in windows:
        if code in done_on:
            status = "done"
        elif on < due_from:
            status = "upcoming"
        elif on <= target:
            status = "due"
        elif on <= overdue_until:
            status = "overdue"
        else:
            status = "missed"
        contacts.append(
            ScheduledContact(code, number, label, due_from, target, overdue_until, status, done_on.get(code))
        )
    return tuple(contacts), tuple(extra)


@dataclass(frozen=True, slots=True)
class AncSchedule:
    gestational_age: GestationalAge
    contacts: tuple[ScheduledContact, ...]
    next_contact: ScheduledContact | None  # first due, overdue or upcoming contact
    extra_contacts: tuple[date, ...]  # contacts done in a window already counted
    post_term_check_date: date  # 41 weeks: return if not delivered

    def as_dict(self) -> dict[str, Any]:
        return {
            "gestational_age": self.gestational_age.as_dict(),
            "contacts": [c.as_dict() for c in self.contacts],
            "next_contact": None if self.next_contact is None else self.next_contact.code,
            "extra_contacts": [d.isoformat() for d in self.extra_contacts],
            "post_term_check_date": self.post_term_check_date.isoformat(),
            "rules_version": PREGNANCY_RULES_VERSION,
        }


def anc_schedule(
    *,
    on: date,
    lmp: date | None = None,
    edd: date | None = None,
    contacts_done: Iterable[date] = (),
    config: PregnancyConfig | None = None,
) -> AncSchedule:
    """The 8 ANC contacts with their status on ``on`` (see the module docstring)."""
    cfg = _config(config)
    ga = gestational_age(on=on, lmp=lmp, edd=edd)
    done = _dates(contacts_done, ga.lmp, on, "contacts_done")
    targets = [ga.lmp + timedelta(weeks=w) for w in cfg.anc_contact_weeks]
    window = timedelta(days=cfg.anc_due_window_days)
    starts = [ga.lmp] + [
        max(targets[k - 1] + timedelta(days=1), targets[k] - window) for k in range(1, len(targets))
    ]
    ends = [s - timedelta(days=1) for s in starts[1:]]
    ends.append(targets[-1] + timedelta(days=cfg.anc_last_contact_grace_days))
    windows = []
    for k, week in enumerate(cfg.anc_contact_weeks):
        label = f"CPN {k + 1} : jusqu'à {week} SA" if k == 0 else f"CPN {k + 1} : {week} SA"
        windows.append((f"ANC{k + 1}", k + 1, label, starts[k], targets[k], ends[k]))
    contacts, extra = _match(windows, done, on)
    return AncSchedule(ga, contacts, _next(contacts), extra, ga.lmp + timedelta(weeks=POST_TERM_CHECK_WEEK))


@dataclass(frozen=True, slots=True)
class PostnatalSchedule:
    delivery_date: date
    day: int  # on - delivery_date (delivery day = 0)
    contacts: tuple[ScheduledContact, ...]
    next_contact: ScheduledContact | None
    extra_contacts: tuple[date, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "delivery_date": self.delivery_date.isoformat(),
            "day": self.day,
            "contacts": [c.as_dict() for c in self.contacts],
            "next_contact": None if self.next_contact is None else self.next_contact.code,
            "extra_contacts": [d.isoformat() for d in self.extra_contacts],
            "rules_version": PREGNANCY_RULES_VERSION,
        }


def postnatal_schedule(
    *,
    delivery_date: date,
    on: date,
    contacts_done: Iterable[date] = (),
    config: PregnancyConfig | None = None,
) -> PostnatalSchedule:
    """The 4 postnatal contacts (mother and newborn) with their status on ``on``."""
    cfg = _config(config)
    check_date(delivery_date, "delivery_date")
    check_date(on, "on")
    if on < delivery_date:
        raise ValueError(f"on: {on.isoformat()} is before delivery_date")
    done = _dates(contacts_done, delivery_date, on, "contacts_done")
    windows = []
    for k, c in enumerate(PNC_CONTACTS):
        if k + 1 < len(PNC_CONTACTS):
            last_day = PNC_CONTACTS[k + 1]["from_day"] - 1
        else:
            last_day = c["to_day"] + cfg.pnc_last_contact_grace_days
        windows.append(
            (
                c["code"],
                k + 1,
                c["label_fr"],
                delivery_date + timedelta(days=c["from_day"]),
                delivery_date + timedelta(days=c["to_day"]),
                delivery_date + timedelta(days=last_day),
            )
        )
    contacts, extra = _match(windows, done, on)
    return PostnatalSchedule(delivery_date, (on - delivery_date).days, contacts, _next(contacts), extra)


# --- danger signs ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DangerSignAssessment:
    urgent_referral: bool
    danger_signs: frozenset[str]  # signs that mean urgent referral
    same_day_signs: frozenset[str]  # postpartum: same-day visit; newborn: local infection
    action: str  # urgent_referral | same_day_visit | routine_care (newborn: iccm actions)
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "urgent_referral": self.urgent_referral,
            "danger_signs": sorted(self.danger_signs),
            "same_day_signs": sorted(self.same_day_signs),
            "action": self.action,
            "reasons": [r.as_dict() for r in self.reasons],
            "rules_version": PREGNANCY_RULES_VERSION,
        }


def _cite(source: str) -> str:
    return "; ".join(_CITATIONS.get(p.strip(), p.strip()) for p in source.split(","))


def _signs(findings: Mapping[str, object], known: tuple[str, ...]) -> list[str]:
    """The signs present, in the order of the data file; ValueError for an unknown key."""
    if not isinstance(findings, Mapping):
        raise ValueError(f"findings: expected a mapping, got {type(findings).__name__}")
    for key, value in findings.items():
        if key not in known:
            raise ValueError(f"findings: unknown sign {key!r} (expected one of {list(known)})")
        if value is not None and value is not True and value is not False:
            raise ValueError(f"{key}: expected True, False or None, got {value!r}")
    return [code for code in known if findings.get(code) is True]


def _assess(
    prefix: str,
    urgent: list[str],
    same_day: list[str],
    specs: Mapping[str, Any],
    same_day_specs: Mapping[str, Any],
) -> DangerSignAssessment:
    reasons = [
        Reason(f"{prefix}.DANGER.{c.upper()}", c, None, _cite(specs[c]["source"]), specs[c]["text_fr"])
        for c in urgent
    ]
    reasons += [
        Reason(
            f"{prefix}.SAME_DAY.{c.upper()}",
            c,
            None,
            _cite(same_day_specs[c]["source"]),
            same_day_specs[c]["text_fr"],
        )
        for c in same_day
    ]
    action = "urgent_referral" if urgent else "same_day_visit" if same_day else "routine_care"
    reasons.append(
        Reason(
            f"{prefix}.ACTION.{action.upper()}",
            action,
            None,
            _cite("PCPNC"),
            _RULES["actions"][action]["text_fr"],
        )
    )
    return DangerSignAssessment(bool(urgent), frozenset(urgent), frozenset(same_day), action, tuple(reasons))


def assess_pregnancy(
    findings: Mapping[str, object], config: PregnancyConfig | None = None
) -> DangerSignAssessment:
    """Danger signs in pregnancy (SMART ANC quick check, PCPNC, national additions [U]).

    ``findings`` maps sign codes (``PREGNANCY_DANGER_SIGNS``) to True/False/None; any sign
    present means urgent referral.
    """
    cfg = _config(config)
    specs = _RULES["pregnancy_danger_signs"]
    present = _signs(findings, PREGNANCY_DANGER_SIGNS)
    if not cfg.national_additions:
        present = [c for c in present if not specs[c].get("national_addition")]
    return _assess("PREGNANCY", present, [], specs, {})


def assess_postpartum(findings: Mapping[str, object]) -> DangerSignAssessment:
    """Postpartum danger signs (WHO PCPNC): urgent referral, or a same-day visit."""
    present = _signs(findings, POSTPARTUM_DANGER_SIGNS + POSTPARTUM_SAME_DAY_SIGNS)
    urgent = [c for c in present if c in POSTPARTUM_DANGER_SIGNS]
    same_day = [c for c in present if c in POSTPARTUM_SAME_DAY_SIGNS]
    return _assess(
        "POSTPARTUM", urgent, same_day, _RULES["postpartum_danger_signs"], _RULES["postpartum_same_day_signs"]
    )


def assess_newborn(
    *, date_of_birth: date, visit_date: date, findings: Mapping[str, object], config: IccmConfig | None = None
) -> DangerSignAssessment:
    """Newborn / young infant 0-59 days: the danger signs of section 1.6, via ``iccm``.

    Same findings vocabulary as ``iccm.classify_sick_child``; ``action`` is the iCCM one
    (urgent_referral, non_urgent_referral for a local infection, advise_only).
    """
    a = classify_sick_child(
        date_of_birth=date_of_birth, visit_date=visit_date, findings=findings, config=config
    )
    if a.age_days > YOUNG_INFANT_MAX_DAYS:
        raise ValueError(
            f"visit_date: the newborn rules apply to 0-{YOUNG_INFANT_MAX_DAYS} days (age "
            f"{a.age_days} days): use iccm.classify_sick_child"
        )
    local = frozenset(
        k for k in ("umbilicus_red_or_draining_pus", "skin_pustules") if findings.get(k) is True
    )
    assert a.action is not None  # only None out of scope (>= 60 months)
    return DangerSignAssessment(a.urgent_referral, a.danger_signs, local, a.action, a.reasons)
