"""Referral forms (French): the counter-referral note and a CSCom's referral to the CSRef."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CounterReferralForm(forms.Form):
    note = forms.CharField(
        label=_("Contre-référence (retour au relais)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Ce qui a été fait et ce que le relais doit suivre."),
    )


class ReferToCsrefForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de la référence"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    urgent = forms.BooleanField(label=_("Référence urgente"), required=False)
