"""What the offline app needs to draw its forms and results, taken from the server's own tables.

The tablet asks the same questions as the web visit form (``keneya.visits.forms``), with the
engine's French labels (``keneya.visits.display``, read from the rule files), and shows the same
labels for classifications, z-scores, statuses and relationships. The shell page embeds this as
JSON, so one source of truth serves both the web and the offline app.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.utils import translation

from keneya.alerts.models import AlertStatus
from keneya.clinical.ages import YOUNG_INFANT_MAX_DAYS
from keneya.clinical.growth import LENHEI_SWITCH_DAYS, MODERATE_BELOW, SEVERE_BELOW
from keneya.clinical.iccm import FAST_BREATHING_PER_MIN
from keneya.clinical.nutrition import (
    MUAC_MIN_AGE_MONTHS,
    MUAC_PLAUSIBLE_MAX_MM,
    MUAC_PLAUSIBLE_MIN_MM,
)
from keneya.clinical.pregnancy import MAX_GESTATIONAL_AGE_DAYS, PREGNANCY_LENGTH_DAYS
from keneya.clinical.visit import ACTION_TEXT_FR, MEASUREMENT_KEYS, UNDER_FIVE_MONTHS
from keneya.people.models import Relationship, Sex
from keneya.people.validation import MAX_AGE_YEARS
from keneya.referrals.models import ReferralStatus
from keneya.visits import display, forms
from keneya.visits.models import VisitKind


def _labels(choices: Any) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    with translation.override("fr"):  # the app is French, whatever the first caller's language
        return _build()


def _build() -> dict[str, Any]:
    return {
        "kinds": _labels(VisitKind.choices),
        "sexes": _labels(Sex.choices),
        "relationships": _labels(Relationship.choices),
        "findings": dict(display.FINDING_LABELS),
        "pregnancy_signs": dict(display.PREGNANCY_SIGNS),
        "postpartum_signs": dict(display.POSTPARTUM_SIGNS),
        "postpartum_same_day_signs": dict(display.POSTPARTUM_SAME_DAY_SIGNS),
        "child_danger_signs": list(forms.CHILD_DANGER_SIGNS),
        "child_symptoms": list(forms.CHILD_SYMPTOMS),
        "young_infant_signs": list(forms.YOUNG_INFANT_SIGNS),
        "local_infection_signs": list(forms.LOCAL_INFECTION_SIGNS),
        # Child 5-17 years (keneya.visits.forms, older_child_rules.json).
        "older_child_findings": dict(display.OLDER_CHILD_LABELS),
        "older_child_urgent_signs": list(forms.OLDER_CHILD_URGENT_SIGNS),
        "older_child_illness": list(forms.OLDER_CHILD_ILLNESS),
        "older_child_school": list(forms.OLDER_CHILD_SCHOOL),
        "school_levels": dict(forms.SCHOOL_LEVELS),
        "durations": dict(forms.DURATIONS),
        "vaccination_card_kinds": sorted(forms.VACCINATION_CARD_KINDS),
        "measurement_keys": list(MEASUREMENT_KEYS),
        "classifications": {k: str(v) for k, v in display.CLASSIFICATION_LABELS.items()},
        "zscores": {k: str(v) for k, v in display.ZSCORE_LABELS.items()},
        "actions": dict(ACTION_TEXT_FR),
        "alert_statuses": _labels(AlertStatus.choices),
        "referral_statuses": _labels(ReferralStatus.choices),
        "limits": {
            "young_infant_max_days": YOUNG_INFANT_MAX_DAYS,
            "under_five_months": UNDER_FIVE_MONTHS,
            "muac_min_age_months": MUAC_MIN_AGE_MONTHS,
            "muac_mm": [MUAC_PLAUSIBLE_MIN_MM, MUAC_PLAUSIBLE_MAX_MM],
            "lenhei_switch_days": LENHEI_SWITCH_DAYS,
            "childbearing_years": list(forms.CHILDBEARING_YEARS),
            "older_child_months": [forms.OLDER_CHILD_MIN_MONTHS, forms.OLDER_CHILD_MAX_MONTHS],
            "weight_kg": list(forms.WEIGHT_KG_RANGE),
            "length_cm": list(forms.LENGTH_CM_RANGE),
            "temperature_c": list(forms.TEMPERATURE_C_RANGE),
            "respiratory_rate": list(forms.RESPIRATORY_RATE_RANGE),
            "max_symptom_days": forms.MAX_SYMPTOM_DAYS,
            "fast_breathing_per_min": dict(FAST_BREATHING_PER_MIN),
            "zscore_moderate_below": MODERATE_BELOW,
            "zscore_severe_below": SEVERE_BELOW,
            "pregnancy_length_days": PREGNANCY_LENGTH_DAYS,
            "max_gestational_age_days": MAX_GESTATIONAL_AGE_DAYS,
            "max_age_years": MAX_AGE_YEARS,
        },
    }
