"""How a stored assessment is shown: French labels for the engine's codes, and the texts that
explain a result. Read-only helpers for the visit, alert, referral and patient pages.

The labels of findings and danger signs come from the engine's rule files
(``keneya/clinical/data/iccm_rules.json`` "findings", ``pregnancy_rules.json`` sign lists), so
the form asks exactly what the engine reads. They are French only, like the rule files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

import keneya.clinical
from keneya.clinical.growth import MODERATE_BELOW, SEVERE_BELOW
from keneya.clinical.immunization import DOSES, SCHEDULE
from keneya.clinical.vaccination_card import next_doses
from keneya.clinical.visit import ACTION_TEXT_FR
from keneya.visits.engine_texts import engine_text

_DATA = Path(keneya.clinical.__file__).resolve().parent / "data"
_ICCM: dict[str, Any] = json.loads((_DATA / "iccm_rules.json").read_text("utf-8"))
_PREGNANCY: dict[str, Any] = json.loads((_DATA / "pregnancy_rules.json").read_text("utf-8"))
_OLDER: dict[str, Any] = json.loads((_DATA / "older_child_rules.json").read_text("utf-8"))


def _question(text_fr: str) -> str:
    """ "Saignement vaginal : référer d'urgence." -> "Saignement vaginal" (a sign, not an order).
    Also for the English twin ("Vaginal bleeding: refer urgently.")."""
    return re.split(r"\s*:\s", text_fr, maxsplit=1)[0].rstrip(".")


def _full(specs: Mapping[str, Any]) -> dict[str, str]:
    return {k: v["text_fr"] for k, v in specs.items()}


# key -> French label, as the engine names them.
FINDING_LABELS: dict[str, str] = {k: v["text_fr"] for k, v in _ICCM["findings"].items()}
PREGNANCY_SIGNS: dict[str, str] = {
    k: _question(v["text_fr"]) for k, v in _PREGNANCY["pregnancy_danger_signs"].items()
}
POSTPARTUM_SIGNS: dict[str, str] = {
    k: _question(v["text_fr"]) for k, v in _PREGNANCY["postpartum_danger_signs"].items()
}
POSTPARTUM_SAME_DAY_SIGNS: dict[str, str] = {
    k: _question(v["text_fr"]) for k, v in _PREGNANCY["postpartum_same_day_signs"].items()
}
# Child 5-17 years (older_child_rules.json).
OLDER_CHILD_LABELS: dict[str, str] = {k: v["text_fr"] for k, v in _OLDER["findings"].items()}
_OLDER_DANGER = {k: _question(v["text_fr"]) for k, v in _OLDER["danger_signs"].items()}
_CHILD_DANGER = {
    k: _question(v["text_fr"]) for band in _ICCM["danger_signs"].values() for k, v in band.items()
}

CLASSIFICATION_LABELS = {
    "danger_sign": _("Signe de danger"),
    "fast_breathing": _("Pneumonie (toux avec respiration rapide)"),
    "severe_acute_malnutrition": _("Malnutrition aiguë sévère"),
    "moderate_acute_malnutrition": _("Malnutrition aiguë modérée"),
    "malaria": _("Paludisme (TDR positif)"),
    "fever_rdt_negative": _("Fièvre avec TDR négatif"),
    "diarrhoea": _("Diarrhée simple"),
    "persistent_diarrhoea": _("Diarrhée persistante"),
    "dysentery": _("Dysenterie"),
    "local_bacterial_infection": _("Infection bactérienne locale"),
    "age_out_of_scope": _("60 mois ou plus : hors PCIME communautaire"),
    "no_finding": _("Aucune classification"),
    "fever_no_rdt": _("Fièvre sans TDR"),
    "tb_screening": _("Dépistage de la tuberculose"),
    "severe_thinness": _("Maigreur sévère (IMC pour l'âge < −3)"),
    "thinness": _("Maigreur (IMC pour l'âge < −2)"),
    "overweight": _("Surpoids (IMC pour l'âge > +1)"),
    "obesity": _("Obésité (IMC pour l'âge > +2)"),
    "severe_stunting": _("Retard de croissance sévère"),
    "stunting": _("Retard de croissance"),
}
ZSCORE_LABELS = {
    "wfa": _("Poids pour l'âge"),
    "lhfa": _("Taille pour l'âge"),
    "wflh": _("Poids pour la taille"),
    "acfa": _("PB pour l'âge"),
    "bmi": _("IMC pour l'âge"),
}


# code -> the engine's whole French sentence, translated when shown (engine_texts).
_SIGN_SENTENCES = {
    "pregnancy": _full(_PREGNANCY["pregnancy_danger_signs"]),
    "postnatal": _full(_PREGNANCY["postpartum_danger_signs"]),
    "older_child_followup": _full(_OLDER["danger_signs"]),
}
_ANY_SIGN_SENTENCES = (
    {k: v["text_fr"] for band in _ICCM["danger_signs"].values() for k, v in band.items()},
    _SIGN_SENTENCES["pregnancy"],
    _SIGN_SENTENCES["postnatal"],
    _full(_PREGNANCY["postpartum_same_day_signs"]),
    FINDING_LABELS,
    _SIGN_SENTENCES["older_child_followup"],
)


def sign_label(code: str, kind: str = "") -> str:
    """The sign's label in the active language (the engine's sentence, before its " : ")."""
    own = _SIGN_SENTENCES.get(kind, {})
    if code in own:
        return _question(engine_text(own[code]))
    for table in _ANY_SIGN_SENTENCES:
        if code in table:
            return _question(engine_text(table[code]))
    return code


def classification_label(code: str) -> str:
    return str(CLASSIFICATION_LABELS.get(code, code))


# Nutrition reasons that are findings (acute malnutrition, wasting), not "nothing found".
_NUTRITION_TRIGGERS = (
    "NUTRITION.SAM",
    "NUTRITION.MAM",
    "NUTRITION.COMPLICATED_SAM",
    "NUTRITION.UNCOMPLICATED_SAM",
    "NUTRITION.WASTING.",
)


def _is_trigger(rule: str) -> bool:
    # The signs and classes that made the result; not the generic "at least one danger
    # sign" line nor the action (shown on its own).
    if rule.startswith("NUTRITION."):
        return rule.startswith(_NUTRITION_TRIGGERS)
    return (".DANGER." in rule or ".CLASS." in rule or ".SAME_DAY." in rule) and rule not in (
        "ICCM.CLASS.DANGER_SIGN",
        "OLDER.CLASS.DANGER_SIGN",
        "OLDER.CLASS.NO_FINDING",
    )


def action_text(assessment: Mapping[str, Any] | None) -> str:
    """The action's own sentence (e.g. "Référer d'urgence au CSCom ; avant le départ...")."""
    action = (assessment or {}).get("action")
    for reason in (assessment or {}).get("reasons") or []:
        if ".ACTION." in reason.get("rule", "") and reason.get("finding") == action:
            return engine_text(str(reason.get("text_fr", "")))
    return ""


def summary_text(assessment: Mapping[str, Any] | None) -> str:
    """The engine's ``summary_fr`` in the active language (visit.summary_fr, recomposed)."""
    a = assessment or {}
    action = a.get("action")
    if action not in ACTION_TEXT_FR:
        return str(a.get("summary_fr", ""))
    text = engine_text(ACTION_TEXT_FR[action])
    if a.get("follow_up_days"):
        return gettext("%(action)s ; revoir dans %(days)s jours.") % {
            "action": text,
            "days": a["follow_up_days"],
        }
    return text + "."


def _unique(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(t for t in texts if t))


def trigger_texts(assessment: Mapping[str, Any] | None) -> list[str]:
    """The French sentences of what triggered the result (danger signs first)."""
    reasons = (assessment or {}).get("reasons") or []
    return _unique([engine_text(r.get("text_fr", "")) for r in reasons if _is_trigger(r.get("rule", ""))])


def reason_texts(assessment: Mapping[str, Any] | None) -> list[str]:
    """Every reason's French sentence, once, in the engine's order."""
    return _unique([engine_text(r.get("text_fr", "")) for r in (assessment or {}).get("reasons") or []])


def zscore_rows(assessment: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The z-scores worth showing, with a severity for the colour (WHO cut-offs -2 and -3)."""
    rows = []
    zscores = (assessment or {}).get("zscores") or {}
    for key, label in ZSCORE_LABELS.items():
        entry = zscores.get(key)
        if not entry or entry.get("z") is None:
            continue
        z = round(entry["z"], 2)
        severity = "severe" if z < SEVERE_BELOW else "moderate" if z < MODERATE_BELOW else ""
        rows.append(
            {"key": key, "label": label, "z": z, "severity": severity, "flagged": bool(entry.get("flagged"))}
        )
    return rows


def _dated(gestational_age: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not gestational_age:
        return None
    return {
        **gestational_age,
        "lmp": date.fromisoformat(gestational_age["lmp"]),
        "edd": date.fromisoformat(gestational_age["edd"]),
    }


def present(assessment: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """Everything the result page shows, from a stored assessment."""
    return {
        "urgent": bool(assessment.get("urgent_referral")),
        "action": assessment.get("action", ""),
        "summary": summary_text(assessment),
        "action_text": action_text(assessment),
        "danger_signs": [sign_label(c, kind) for c in assessment.get("danger_signs") or []],
        "classifications": [
            classification_label(c)
            for c in assessment.get("classifications") or []
            if c not in ("danger_sign", "no_finding")
        ],
        "reasons": reason_texts(assessment),
        # The first dose the rules give before an urgent referral, named (iccm pre_referral).
        "pre_referral": _unique(
            [
                engine_text(r.get("text_fr", ""))
                for r in assessment.get("reasons") or []
                if ".PRE_REFERRAL." in r.get("rule", "")
            ]
        ),
        "schooling": assessment.get("schooling"),
        "zscores": zscore_rows(assessment),
        "gestational_age": _dated(assessment.get("gestational_age")),
        "follow_up_days": assessment.get("follow_up_days"),
    }


_SCHEDULE_ORDER = {dose.code: i for i, dose in enumerate(SCHEDULE)}


def vaccination_summary(
    *, date_of_birth: date, visit_date: date, recorded_here: Mapping[str, date], known: Mapping[str, date]
) -> dict[str, Any]:
    """What the result page says about the card: the doses copied at this visit (schedule
    order) and the next doses (``vaccination_card.next_doses`` on the visit date, with every
    dose known then, this visit's included)."""
    received = [(code, given) for code, given in known.items() if date_of_birth <= given <= visit_date]
    return {
        "recorded": [
            {"code": code, "label": DOSES[code].label_fr, "given": given}
            for code, given in sorted(recorded_here.items(), key=lambda item: _SCHEDULE_ORDER[item[0]])
        ],
        "next": [
            {
                "code": v.code,
                "label": v.label_fr,
                "status": v.status,
                "due_date": v.due_date,
                "overdue_after": v.overdue_after,
            }
            for v in next_doses(date_of_birth=date_of_birth, on=visit_date, doses_received=received)
        ],
    }
