"""The CHW's visit form: the questions of one kind of visit, for the person's age band.

The form only parses and checks what a person can type wrong (French messages); the rules are
the engine's (``keneya.clinical.visit.assess_home_visit``, called by ``services``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from keneya.clinical.ages import YOUNG_INFANT_MAX_DAYS, band_for, completed_months
from keneya.clinical.growth import LENHEI_SWITCH_DAYS
from keneya.clinical.iccm import FAST_BREATHING_PER_MIN
from keneya.clinical.nutrition import (
    MUAC_MIN_AGE_MONTHS,
    MUAC_PLAUSIBLE_MAX_MM,
    MUAC_PLAUSIBLE_MIN_MM,
)
from keneya.clinical.older_child import MAX_AGE_MONTHS as OLDER_CHILD_MAX_MONTHS
from keneya.clinical.older_child import MIN_AGE_MONTHS as OLDER_CHILD_MIN_MONTHS
from keneya.clinical.older_child import SCHOOL_LEVELS
from keneya.clinical.vaccination_card import CardDose, card_doses
from keneya.clinical.visit import MEASUREMENT_KEYS, UNDER_FIVE_MONTHS
from keneya.core.ids import uuid7
from keneya.people.forms import DateInput
from keneya.people.models import Person, Sex
from keneya.visits.display import (
    FINDING_LABELS,
    OLDER_CHILD_LABELS,
    POSTPARTUM_SAME_DAY_SIGNS,
    POSTPARTUM_SIGNS,
    PREGNANCY_SIGNS,
)
from keneya.visits.models import VisitKind
from keneya.visits.services import VACCINES_FINDING
from keneya.visits.validation import (  # the ranges: one place for every path
    LENGTH_CM_RANGE,
    MAX_SYMPTOM_DAYS,
    WEIGHT_KG_RANGE,
    check_dating,
)

# URL words for the kinds (the pages are in French).
KIND_SLUGS: dict[str, str] = {
    "suivi-enfant": VisitKind.CHILD_FOLLOWUP,
    "enfant-malade": VisitKind.SICK_CHILD,
    "grossesse": VisitKind.PREGNANCY,
    "postnatale": VisitKind.POSTNATAL,
    "suivi-enfant-5-17-ans": VisitKind.OLDER_CHILD_FOLLOWUP,
}
SLUG_FOR_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}

# Design choice: pregnancy and postpartum visits are offered to women aged 10 to 55 (wider
# than WHO's 15-49 reproductive age: adolescent pregnancies are common in Mali).
CHILDBEARING_YEARS = (10, 55)

# The yes/no signs of each band, in the order of the iCCM chart booklet (iccm_rules.json keys).
CHILD_DANGER_SIGNS = (
    "convulsions",
    "not_able_to_drink_or_feed",
    "vomits_everything",
    "chest_indrawing",
    "unusually_sleepy_or_unconscious",
    "bilateral_oedema",
)
CHILD_SYMPTOMS = (
    "cough",
    "cough_days",
    "difficult_breathing",
    "diarrhoea",
    "diarrhoea_days",
    "blood_in_stool",
    "fever",
    "fever_days",
)
YOUNG_INFANT_SIGNS = (
    "not_feeding_well",
    "convulsions",
    "severe_chest_indrawing",
    "movement_only_when_stimulated_or_none",
    "jaundice_first_24h",
    "yellow_palms_or_soles",
)
LOCAL_INFECTION_SIGNS = ("umbilicus_red_or_draining_pus", "skin_pustules")
# Child 5-17 years (older_child_rules.json keys, clinical-rules.md 7.2/7.3).
OLDER_CHILD_URGENT_SIGNS = (
    "convulsions",
    "unconscious_or_confused",
    "severe_difficulty_breathing",
    "unable_to_drink_or_vomits_everything",
    "severe_pallor",
    "bilateral_oedema",
    "severe_dehydration",
    "severe_pain",
    "injury_bleeding_or_fracture",
    "suspected_poisoning",
)
OLDER_CHILD_ILLNESS = (
    "illness_since_last_visit",
    "fever",
    "fever_days",
    "rdt_result",
    "cough",
    "cough_days",
    "weight_loss",
)
OLDER_CHILD_SCHOOL = ("in_school", "school_level", "sleeps_under_net")
DURATIONS = {"cough": "cough_days", "diarrhoea": "diarrhoea_days", "fever": "fever_days"}

# Typing-error guards (design choice, not clinical thresholds); weight, length and durations:
# keneya.visits.validation (re-exported for pwa.vocabulary).
__all__ = ["LENGTH_CM_RANGE", "MAX_SYMPTOM_DAYS", "WEIGHT_KG_RANGE"]
TEMPERATURE_C_RANGE = (25.0, 45.0)  # iccm_rules.json "plausibility"
RESPIRATORY_RATE_RANGE = (1, 200)  # iccm_rules.json "plausibility"


def age_in_days(person: Person, on: date) -> int:
    return max((on - person.date_of_birth).days, 0)


def available_kinds(person: Person, on: date) -> list[str]:
    """The kinds of visit that make sense for this person today."""
    days = age_in_days(person, on)
    months = completed_months(person.date_of_birth, on)
    kinds: list[str] = []
    if months < UNDER_FIVE_MONTHS:
        kinds += [VisitKind.SICK_CHILD, VisitKind.CHILD_FOLLOWUP]
    if days <= YOUNG_INFANT_MAX_DAYS:
        kinds.append(VisitKind.POSTNATAL)  # the newborn
    elif person.sex == Sex.FEMALE and CHILDBEARING_YEARS[0] <= months // 12 <= CHILDBEARING_YEARS[1]:
        kinds += [VisitKind.PREGNANCY, VisitKind.POSTNATAL]
    if OLDER_CHILD_MIN_MONTHS <= months <= OLDER_CHILD_MAX_MONTHS:
        kinds.insert(0, VisitKind.OLDER_CHILD_FOLLOWUP)
    return kinds


# The vaccination card is copied during the child's visits and the newborn's postnatal visit
# (birth doses); never during the mother's.
VACCINATION_CARD_KINDS = frozenset({VisitKind.CHILD_FOLLOWUP, VisitKind.SICK_CHILD})
VACCINE_FIELD_PREFIX = "vaccine_"  # + dose code: one date per dose not yet recorded


def asks_vaccination_card(kind: str, person: Person, on: date) -> bool:
    if kind in VACCINATION_CARD_KINDS:
        return completed_months(person.date_of_birth, on) < UNDER_FIVE_MONTHS
    return kind == VisitKind.POSTNATAL and age_in_days(person, on) <= YOUNG_INFANT_MAX_DAYS


def sections_for(kind: str, person: Person, on: date) -> list[tuple[Any, tuple[str, ...]]]:
    """(title, field names) of the form, for this kind and the person's age band."""
    days = age_in_days(person, on)
    young = days <= YOUNG_INFANT_MAX_DAYS
    muac = ("muac_mm",) if completed_months(person.date_of_birth, on) >= MUAC_MIN_AGE_MONTHS else ()
    growth = ("weight_kg", "length_or_height_cm", "measured_position")
    if kind == VisitKind.SICK_CHILD and young:
        return [
            (_("Signes de danger"), YOUNG_INFANT_SIGNS),
            (_("Infection locale"), LOCAL_INFECTION_SIGNS),
            (_("Mesures"), ("temperature_c", "respiratory_rate", "weight_kg")),
        ]
    if kind == VisitKind.SICK_CHILD:
        return [
            (_("Ce que la famille signale"), CHILD_SYMPTOMS),
            (_("Signes de danger"), CHILD_DANGER_SIGNS),
            (_("Examen et mesures"), ("respiratory_rate", "temperature_c", "rdt_result", *muac, *growth)),
        ]
    if kind == VisitKind.CHILD_FOLLOWUP:
        signs = YOUNG_INFANT_SIGNS if young else CHILD_DANGER_SIGNS
        return [
            (_("Mesures"), (*growth, *muac)),
            (_("Signes de danger (si vous en voyez)"), tuple(dict.fromkeys(("bilateral_oedema", *signs)))),
        ]
    if kind == VisitKind.OLDER_CHILD_FOLLOWUP:
        return [
            (_("Signes d'urgence (référer d'urgence)"), OLDER_CHILD_URGENT_SIGNS),
            (_("Maladie depuis la dernière visite"), OLDER_CHILD_ILLNESS),
            (_("Mesures"), ("weight_kg", "length_or_height_cm")),
            (_("École et prévention"), OLDER_CHILD_SCHOOL),
        ]
    if kind == VisitKind.PREGNANCY:
        return [
            (_("Signes de danger"), tuple(PREGNANCY_SIGNS)),
            (_("Datation de la grossesse"), ("lmp", "edd")),
        ]
    if young:  # postnatal: the newborn
        return [
            (_("Signes de danger du nouveau-né"), YOUNG_INFANT_SIGNS),
            (_("Infection locale"), LOCAL_INFECTION_SIGNS),
            (_("Mesures"), ("temperature_c", "respiratory_rate")),
        ]
    return [
        (_("Signes de danger"), tuple(POSTPARTUM_SIGNS)),
        (_("À faire voir au CSCom le jour même"), tuple(POSTPARTUM_SAME_DAY_SIGNS)),
    ]


class YesNoField(forms.TypedChoiceField):
    """A sign: Oui / Non, or not answered (None: not looked for)."""

    is_yes_no = True  # drawn as a big Oui / Non toggle

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=[("yes", _("Oui")), ("no", _("Non"))],
            coerce=lambda value: value == "yes",
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
            **kwargs,
        )


def _engine_label(key: str) -> Any:
    """The engine's French label of a finding, translated when shown (visits.engine_texts)."""
    return _(FINDING_LABELS.get(key) or OLDER_CHILD_LABELS[key])


def _number(label: Any, low: float, high: float, *, step: str = "1", integer: bool = False) -> forms.Field:
    attrs = {"step": step, "inputmode": "numeric" if integer else "decimal"}
    widget = forms.NumberInput(attrs=attrs)
    if integer:
        return forms.IntegerField(
            label=label, required=False, min_value=int(low), max_value=int(high), widget=widget
        )
    return forms.FloatField(label=label, required=False, min_value=low, max_value=high, widget=widget)


def _field(key: str, *, age_days: int, band: str) -> forms.Field:
    if key in PREGNANCY_SIGNS or key in POSTPARTUM_SIGNS or key in POSTPARTUM_SAME_DAY_SIGNS:
        label = PREGNANCY_SIGNS.get(key) or POSTPARTUM_SIGNS.get(key) or POSTPARTUM_SAME_DAY_SIGNS[key]
        return YesNoField(label=label)
    if key in DURATIONS.values():
        return _number(_engine_label(key), 0, MAX_SYMPTOM_DAYS, integer=True)
    if key == "respiratory_rate":
        field = _number(_engine_label(key), *RESPIRATORY_RATE_RANGE, integer=True)
        threshold = FAST_BREATHING_PER_MIN.get(band)
        if threshold:
            field.help_text = _("Comptez pendant une minute entière. Rapide à partir de %(n)s.") % {
                "n": threshold
            }
        return field
    if key == "temperature_c":
        return _number(_engine_label(key), *TEMPERATURE_C_RANGE, step="0.1")
    if key == "rdt_result":
        return forms.ChoiceField(
            label=_engine_label(key),
            required=False,
            widget=forms.RadioSelect,
            initial="",
            choices=[("positive", _("Positif")), ("negative", _("Négatif")), ("", _("Pas fait"))],
        )
    if key == "muac_mm":
        field = _number(_engine_label(key), MUAC_PLAUSIBLE_MIN_MM, MUAC_PLAUSIBLE_MAX_MM, integer=True)
        field.help_text = _("Rouge : moins de 115 mm. Jaune : 115 à 124 mm.")
        return field
    if key == "weight_kg":
        return _number(_("Poids (kg)"), *WEIGHT_KG_RANGE, step="0.1")
    if key == "length_or_height_cm":
        return _number(_("Longueur ou taille (cm)"), *LENGTH_CM_RANGE, step="0.1")
    if key == "measured_position":
        return forms.ChoiceField(
            label=_("Mesuré"),
            required=False,
            widget=forms.RadioSelect,
            choices=[("L", _("Couché")), ("H", _("Debout"))],
            initial="L" if age_days < LENHEI_SWITCH_DAYS else "H",
            help_text=_("Couché avant 2 ans, debout ensuite."),
        )
    if key == "school_level":
        return forms.ChoiceField(
            label=_engine_label(key),
            required=False,
            widget=forms.RadioSelect,
            initial="",
            choices=[*SCHOOL_LEVELS.items(), ("", _("Non précisé"))],
        )
    if key == "lmp":
        return forms.DateField(label=_("Date des dernières règles (DDR)"), required=False, widget=DateInput())
    if key == "edd":
        return forms.DateField(
            label=_("Date prévue de l'accouchement (DPA)"),
            required=False,
            widget=DateInput(),
            help_text=_("Si elle est connue (échographie) : elle remplace la DDR."),
        )
    return YesNoField(label=_engine_label(key))


class VisitForm(forms.Form):
    id = forms.UUIDField(widget=forms.HiddenInput)  # made with the page: a double tap saves once
    visit_date = forms.DateField(label=_("Date de la visite"), widget=DateInput())

    def __init__(
        self,
        *args: Any,
        person: Person,
        kind: str,
        today: date,
        doses_recorded: Mapping[str, date] | None = None,
        **kwargs: Any,
    ) -> None:
        """``doses_recorded``: the person's vaccination card as stored (dose code -> date)."""
        super().__init__(*args, **kwargs)
        self.person, self.kind = person, kind
        self.fields["id"].initial = uuid7()
        self.fields["visit_date"].initial = today
        days = age_in_days(person, today)
        band = band_for(days, completed_months(person.date_of_birth, today))
        self.sections = []
        for title, keys in sections_for(kind, person, today):
            for key in keys:
                self.fields[key] = _field(key, age_days=days, band=band)
            self.sections.append((title, keys))
        self.card: list[CardDose] = []
        if asks_vaccination_card(kind, person, today):
            born = person.date_of_birth
            known = [
                (code, given) for code, given in (doses_recorded or {}).items() if born <= given <= today
            ]
            self.card = card_doses(date_of_birth=born, on=today, doses_received=known)
            for dose in self.card:
                if dose.given is None:  # a dose already recorded is not asked again
                    self.fields[VACCINE_FIELD_PREFIX + dose.code] = forms.DateField(
                        label=dose.label_fr,
                        required=False,
                        widget=DateInput(attrs={"min": born.isoformat(), "max": today.isoformat()}),
                        error_messages={
                            "invalid": _("Date invalide : choisissez le jour, le mois et l'année.")
                        },
                    )

    def section_fields(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[key] for key in keys]) for title, keys in self.sections]

    def vaccination_card(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """The card's lines grouped by age ("Naissance", "6 semaines"...): each line is
        ``{"dose": CardDose, "field": BoundField or None (already recorded)}``."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for dose in self.card:
            key = VACCINE_FIELD_PREFIX + dose.code
            groups.setdefault(dose.age_label_fr, []).append(
                {"dose": dose, "field": self[key] if key in self.fields else None}
            )
        return list(groups.items())

    def _vaccine_keys(self) -> list[tuple[str, str]]:
        return [
            (dose.code, VACCINE_FIELD_PREFIX + dose.code)
            for dose in self.card
            if VACCINE_FIELD_PREFIX + dose.code in self.fields
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for symptom, days_key in DURATIONS.items():
            if cleaned.get(symptom) is False and cleaned.get(days_key):
                self.add_error(
                    days_key, _("Vous avez répondu « Non » : laissez la durée vide ou corrigez la réponse.")
                )
        if cleaned.get("in_school") is False and cleaned.get("school_level"):
            self.add_error(
                "school_level", _("Vous avez répondu « Non » à l'école : laissez le niveau vide ou corrigez.")
            )
        visit_date = cleaned.get("visit_date")
        if visit_date is not None:
            for key in ("lmp", "edd"):
                if cleaned.get(key) is not None:
                    self._check_dating(key, cleaned[key], visit_date)
        born = self.person.date_of_birth
        for _code, key in self._vaccine_keys():
            given = cleaned.get(key)
            if given is None:
                continue
            if given < born:
                self.add_error(
                    key,
                    _("Date avant la naissance (%(born)s) : vérifiez la carte.")
                    % {"born": date_format(born, "SHORT_DATE_FORMAT")},
                )
            elif visit_date is not None and given > visit_date:
                self.add_error(key, _("Date après la visite : vérifiez la carte."))
        return cleaned

    def _check_dating(self, key: str, value: date, visit_date: date) -> None:
        try:
            check_dating(key, value, visit_date=visit_date)
        except ValidationError as exc:
            for message in exc.message_dict.get(key, []):
                self.add_error(key, message)

    def visit_input(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(findings, measurements) for ``record_home_visit``; unanswered questions are left out."""
        findings: dict[str, Any] = {}
        measurements: dict[str, Any] = {}
        c = self.cleaned_data
        for _title, keys in self.sections:
            for key in keys:
                value = c.get(key)
                if value is None or value == "" or key == "measured_position":
                    continue
                if key in MEASUREMENT_KEYS:
                    measurements[key] = value
                elif value is not False or self.kind != VisitKind.CHILD_FOLLOWUP:
                    # A follow-up visit sends only the signs seen: the iCCM classification
                    # runs on a follow-up only when something was found.
                    findings[key] = value
        if "length_or_height_cm" in measurements and "measured_position" in self.fields:
            measurements["measured_position"] = (
                c.get("measured_position") or self.fields["measured_position"].initial
            )
        card = {code: c[key].isoformat() for code, key in self._vaccine_keys() if c.get(key)}
        if card:
            findings[VACCINES_FINDING] = card
        return findings, measurements

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show the service's errors next to the fields, in French.

        Every message is French (``visits.validation``, and the engine's errors as the service
        words them), keyed by the field when there is one.
        """
        for key, messages in exc.message_dict.items():
            for message in messages:
                if key == VACCINES_FINDING:  # "PENTA1 : ..." names the dose
                    field = VACCINE_FIELD_PREFIX + message.split(" :", 1)[0].strip()
                    self.add_error(field if field in self.fields else None, message)
                else:
                    self.add_error(key if key in self.fields else None, message)
