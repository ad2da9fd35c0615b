from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keneya.social_protection.models import DocumentStatus, Scheme


class OpenDossierForm(forms.Form):
    scheme = forms.ChoiceField(label=_("Régime"), choices=Scheme.choices)
    members = forms.MultipleChoiceField(label=_("Membres à inscrire"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, persons: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["members"]
        field.choices = [(str(p.pk), f"{p.given_names} {p.family_name}") for p in persons]


class DocumentForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), choices=DocumentStatus.choices)
    issued_on = forms.DateField(
        label=_("Délivré le"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = forms.DateField(
        label=_("Expire le"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    substitute = forms.ChoiceField(label=_("Pièce de substitution"), required=False)
    unavailable_reason = forms.CharField(
        label=_("Si impossible à fournir, pourquoi"), required=False, max_length=300
    )

    def __init__(self, *args: Any, substitutes: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["substitute"]
        field.choices = [("", "—"), *substitutes]


class TransitionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    card_number = forms.CharField(label=_("N° de carte"), required=False, max_length=40)
    valid_from = forms.DateField(
        label=_("Valable du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valable jusqu'au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
