from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keneya.social_protection.models import AppointmentKind, ContributionKind, DocumentStatus, Scheme

# ISO dates: an <input type="date"> shows nothing for a value in the French format, and saving
# the form again would then erase the stored date.
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class OpenDossierForm(forms.Form):
    scheme = forms.ChoiceField(label=_("Régime"), choices=Scheme.choices)
    members = forms.MultipleChoiceField(label=_("Membres à inscrire"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, persons: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["members"]
        field.choices = [(str(p.pk), f"{p.given_names} {p.family_name}") for p in persons]


class DocumentForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), choices=DocumentStatus.choices)
    issued_on = forms.DateField(label=_("Délivré le"), required=False, widget=DATE)
    expires_on = forms.DateField(label=_("Expire le"), required=False, widget=DATE)
    substitute = forms.ChoiceField(label=_("Pièce de substitution"), required=False)
    unavailable_reason = forms.CharField(
        label=_("Si impossible à fournir, pourquoi"), required=False, max_length=300
    )

    def __init__(self, *args: Any, substitutes: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not substitutes:  # no substitute accepted for this document: no empty choice shown
            del self.fields["substitute"]
            return
        field: Any = self.fields["substitute"]
        field.choices = [("", "—"), *substitutes]


class TransitionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    card_number = forms.CharField(label=_("N° de carte"), required=False, max_length=40)
    valid_from = forms.DateField(label=_("Valable du"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Valable jusqu'au"), required=False, widget=DATE)


class AppointmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rendez-vous"), choices=AppointmentKind.choices)
    on = forms.DateField(label=_("Le"), widget=DATE)
    place = forms.CharField(label=_("Lieu"), required=False, max_length=120)


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Scan ou photo (image ou PDF, 5 Mo au plus)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=ContributionKind.choices)
    amount_xof = forms.IntegerField(label=_("Montant (F CFA)"), min_value=1, max_value=10_000_000)
    months = forms.IntegerField(label=_("Mois payés"), min_value=0, max_value=24, required=False)
    paid_on = forms.DateField(label=_("Payé le"), widget=DATE)


class VoidContributionForm(forms.Form):
    reason = forms.CharField(label=_("Motif de l'annulation"), max_length=200)
