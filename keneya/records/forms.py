"""The consultation form (French). It parses; ``services.record_consultation`` checks the rules
(plausible vitals, known ICD-10 codes, dates) and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from keneya.people.forms import DateInput
from keneya.records.models import Consultation
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
