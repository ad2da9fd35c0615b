"""The alert rules: one ordered registry, each a small definition plus a predicate.

A rule looks at a stored visit (its assessment) and, for growth, the child's earlier visits. It
returns the findings that triggered it, or nothing. Order matters only for display: the inbox
sorts by priority, then age. Add a rule by appending an ``AlertRule``; cite its source.

Facts from the apps above (a lab result...): a ``FactRule`` looks at a ``Fact`` of one ``kind``
(its JSON-ready ``data``). Alerts imports none of those apps: an app registers its fact rules
with ``register_fact_rule`` in its ``AppConfig.ready`` and reports each new fact to
``services.raise_alert_for_fact`` (the lab: a critical result, ``keneya.lab``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_noop

from keneya.alerts.models import PRIORITY_RANK, Priority
from keneya.clinical.faltering import (  # growth faltering, WHO 2008 (see the module)
    FALTERING_MAX_AGE_MONTHS,
    FALTERING_MAX_INTERVAL_DAYS,
    FALTERING_MIN_INTERVAL_DAYS,
)


@dataclass(frozen=True)
class VisitFacts:
    """What a rule may look at: the visit's assessment and the child's weighings by date."""

    kind: str
    visit_date: date
    assessment: dict[str, Any]
    weights: Sequence[tuple[date, float]]  # earlier weighings and this one, oldest first


@dataclass(frozen=True)
class AlertRule:
    code: str
    priority: str
    source: str
    title_fr: str  # stored on the alert in French; shown through gettext (visit_tags engine_text)
    predicate: Callable[[VisitFacts], list[str] | None]


def _danger_signs(f: VisitFacts) -> list[str] | None:
    a = f.assessment
    if a.get("urgent_referral") and a.get("danger_signs"):
        return list(a["danger_signs"])
    return None


def _has_class(code: str) -> Callable[[VisitFacts], list[str] | None]:
    def predicate(f: VisitFacts) -> list[str] | None:
        classes = f.assessment.get("classifications") or []
        nutrition = f.assessment.get("nutrition") or {}
        if code in classes:
            found = [code]
            muac = [
                r["finding"]
                for r in f.assessment.get("reasons", [])
                if "MUAC" in r.get("rule", "").upper() or "WFH" in r.get("rule", "").upper()
            ]
            return found + muac[:2] + ([nutrition["acute"]] if nutrition.get("acute") else [])
        return None

    return predicate


def _older_child_class(code: str, indicator: str | None = None) -> Callable[[VisitFacts], list[str] | None]:
    """A classification of the child 5-17 visit (keneya.clinical.older_child), with its z."""

    def predicate(f: VisitFacts) -> list[str] | None:
        if f.kind != "older_child_followup" or code not in (f.assessment.get("classifications") or []):
            return None
        z = ((f.assessment.get("zscores") or {}).get(indicator or "") or {}).get("z")
        return [code] + ([f"{indicator} z {z:.2f}"] if z is not None else [])

    return predicate


def _growth_faltering(f: VisitFacts) -> list[str] | None:
    if f.kind not in ("child_followup", "sick_child"):
        return None
    if f.assessment.get("age_months", 99) > FALTERING_MAX_AGE_MONTHS or len(f.weights) < 3:
        return None
    (d0, w0), (d1, w1), (d2, w2) = f.weights[-3:]
    if d2 != f.visit_date:
        return None
    for earlier, later in ((d0, d1), (d1, d2)):
        if not FALTERING_MIN_INTERVAL_DAYS <= (later - earlier).days <= FALTERING_MAX_INTERVAL_DAYS:
            return None
    if w1 <= w0 and w2 <= w1:
        return [f"poids {w0:g} → {w1:g} → {w2:g} kg"]
    return None


RULES: tuple[AlertRule, ...] = (
    AlertRule(
        code="danger_sign",
        priority=Priority.URGENT,
        source="WHO/UNICEF iCCM 2011 (S1); WHO PSBI 2015 (S4); WHO PCPNC (pregnancy, postpartum, newborn)",
        title_fr=gettext_noop("Signe de danger : référer d'urgence"),
        predicate=_danger_signs,
    ),
    AlertRule(
        code="severe_acute_malnutrition",
        priority=Priority.URGENT,
        source="WHO/UNICEF 2009 SAM joint statement (S3); WHO IMCI 2014 (S2)",
        title_fr=gettext_noop("Malnutrition aiguë sévère"),
        predicate=_has_class("severe_acute_malnutrition"),
    ),
    AlertRule(
        code="moderate_acute_malnutrition",
        priority=Priority.ROUTINE,
        source="WHO IMCI 2014 (S2): MAM, MUAC 115-124 mm or WFH z -3 to < -2",
        title_fr=gettext_noop("Malnutrition aiguë modérée"),
        predicate=_has_class("moderate_acute_malnutrition"),
    ),
    AlertRule(
        code="severe_thinness",
        priority=Priority.FOLLOW_UP,
        source="WHO 2007 growth reference 5-19 y (de Onis 2007; AnthroPlus): BMI-for-age z < -3; "
        "clinical-rules §7.1",
        title_fr=gettext_noop("Maigreur sévère (5-17 ans) : voir au CSCom"),
        predicate=_older_child_class("severe_thinness", "bmi"),
    ),
    AlertRule(
        code="tb_screening",
        priority=Priority.ROUTINE,
        source="WHO consolidated TB guidelines, module 2: screening (2021); clinical-rules §7.2",
        title_fr=gettext_noop("Toux de 14 jours ou plus, ou perte de poids : dépistage de la tuberculose"),
        predicate=_older_child_class("tb_screening"),
    ),
    AlertRule(
        code="growth_faltering",
        priority=Priority.ROUTINE,
        source="WHO Training Course on Child Growth Assessment 2008, module C",
        title_fr=gettext_noop("Courbe de poids plate ou descendante (2 mois)"),
        predicate=_growth_faltering,
    ),
)

# Raised by the periodic referral check, not from a visit.
REFERRAL_NOT_ARRIVED = AlertRule(
    code="referral_not_arrived",
    priority=Priority.FOLLOW_UP,
    source="Programme goal: care within 24 h of referral (Mali Health strategy)",
    title_fr=gettext_noop("Référé·e non arrivé·e après 24 h"),
    predicate=lambda f: None,
)


def matching_rules(facts: VisitFacts) -> list[tuple[AlertRule, list[str]]]:
    matches = []
    for rule in RULES:
        findings = rule.predicate(facts)
        if findings:
            matches.append((rule, findings))
    return matches


def alert_to_raise(facts: VisitFacts) -> tuple[AlertRule, list[str]] | None:
    """The one alert of a visit: the most serious matching rule, with every rule's findings
    (each once, the most serious rules' first); None when no rule matches."""
    matches = sorted(matching_rules(facts), key=lambda m: PRIORITY_RANK[m[0].priority])  # type: ignore[index]
    if not matches:
        return None
    findings = [f for _rule, found in matches for f in found]
    return matches[0][0], list(dict.fromkeys(findings))


# --- Facts reported by the apps above (lab results...) -----------------------------------------


@dataclass(frozen=True)
class Fact:
    """Something another app recorded about a person, for the fact rules: its ``kind`` (e.g.
    "lab_result") and JSON-ready ``data`` (the reporting app documents the keys)."""

    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class FactRule:
    code: str
    kind: str  # the Fact kind it looks at
    priority: str
    source: str
    title_fr: str  # stored on the alert in French (mark it with gettext_noop where it is defined)
    predicate: Callable[[Fact], list[str] | None]


FACT_RULES: dict[str, FactRule] = {}


def register_fact_rule(rule: FactRule) -> None:
    """Add a rule on facts (from an ``AppConfig.ready``); registering the same code again
    replaces it (a reloaded app), a code of the visit rules is refused."""
    if any(r.code == rule.code for r in (*RULES, REFERRAL_NOT_ARRIVED)):
        raise ValueError(f"alert rule code already used by a visit rule: {rule.code}")
    FACT_RULES[rule.code] = rule


def fact_alert_to_raise(fact: Fact) -> tuple[FactRule, list[str]] | None:
    """The one alert of a fact: the most serious matching rule of its kind, with every
    matching rule's findings (each once); None when no rule matches."""
    matches = []
    for rule in FACT_RULES.values():
        if rule.kind != fact.kind:
            continue
        findings = rule.predicate(fact)
        if findings:
            matches.append((rule, findings))
    if not matches:
        return None
    matches.sort(key=lambda m: PRIORITY_RANK[m[0].priority])  # type: ignore[index]
    findings = [f for _rule, found in matches for f in found]
    return matches[0][0], list(dict.fromkeys(findings))
