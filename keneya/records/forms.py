"""The consultation form (French). It parses; ``services.record_consultation`` checks the rules
(plausible vitals, known ICD-10 codes, dates) and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from keneya.people.forms import DateInput
from keneya.records.icd10 import REGISTER_CONDITIONS
from keneya.records.models import Consultation, DocumentKind, ProblemStatus
from keneya.records.services import VITAL_RANGES

VITALS = tuple(VITAL_RANGES)
TEXTS = ("complaint", "examination", "treatment")


class CodesField(forms.Field):
    """Several ICD-10 codes, one hidden input each (added by the search as you type)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        return [str(v).strip() for v in value or [] if str(v).strip()]


class ConsultationForm(forms.Form):
    diagnoses = CodesField(label=_("Diagnostics (CIM-10)"), required=False)
    follow_up_date = forms.DateField(label=_("Revoir le"), required=False, widget=DateInput())
    add_to_problem_list = forms.BooleanField(
        label=_("Ajouter ces diagnostics à la liste des problèmes du patient"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_fields = fields_for_model(Consultation, fields=[*TEXTS, *VITALS])
        for name, field in model_fields.items():
            if name in TEXTS:
                field.widget = forms.Textarea(attrs={"rows": 2})
            else:
                field.widget.attrs.update({"inputmode": "decimal"})
            self.fields[name] = field

    def vitals(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) for k in VITALS if self.cleaned_data.get(k) is not None}

    def add_service_errors(self, exc: ValidationError) -> None:
        for key, messages in exc.message_dict.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)


class ProblemForm(forms.Form):
    """A problem: a condition of the registers in one click, or any ICD-10 code typed."""

    condition = forms.ChoiceField(
        label=_("Affection"),
        required=False,
        choices=[("", _("— choisir —")), *((code, f"{name} ({code})") for code, name in REGISTER_CONDITIONS)],
    )
    icd10_code = forms.CharField(
        label=_("ou code CIM-10"), required=False, max_length=10, help_text=_("ex. : D57.0, B20")
    )
    onset = forms.DateField(label=_("Début"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Statut"), choices=ProblemStatus.choices, initial=ProblemStatus.ACTIVE)
    note = forms.CharField(label=_("Remarque"), required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = (data.get("icd10_code") or "").strip() or data.get("condition") or ""
        if not code:
            raise ValidationError(_("Choisissez une affection ou tapez un code CIM-10."))
        data["code"] = code
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        for key, messages in exc.message_dict.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), min_length=5, max_length=300)


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Fichier (photo ou PDF, 10 Mo au plus)"))
    kind = forms.ChoiceField(label=_("Type de document"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Titre"), max_length=200)
    document_date = forms.DateField(label=_("Date du document"), required=False, widget=DateInput())
