"""Triage forms (French): the convocation date and the reason for closing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keneya.alerts.models import CloseReason
from keneya.people.forms import DateInput


class ConvokeForm(forms.Form):
    appointment_date = forms.DateField(label=_("Convoquer le"), widget=DateInput())


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Motif de clôture"), choices=CloseReason.choices)
