"""Web forms (French). They parse input; the services validate the rules and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keneya.core.models import Area
from keneya.people.models import Relationship, Sex
from keneya.people.services import PersonData
from keneya.people.validation import MAX_AGE_YEARS, estimated_birth_date


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonForm(forms.Form):
    family_name = forms.CharField(label=_("Nom de famille"), max_length=80, required=False)
    given_names = forms.CharField(label=_("Prénom(s)"), max_length=120, required=False)
    sex = forms.ChoiceField(label=_("Sexe"), choices=Sex.choices, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(label=_("Date de naissance"), required=False, widget=DateInput())
    age_years = forms.IntegerField(
        label=_("ou âge (années)"),
        required=False,
        min_value=0,
        help_text=_("Si la date exacte n'est pas connue."),
    )
    age_months = forms.IntegerField(label=_("et mois"), required=False, min_value=0, max_value=11)
    relationship_to_head = forms.ChoiceField(
        label=_("Lien avec le chef de ménage"),
        choices=Relationship.choices,
        initial=Relationship.CHILD,
    )
    phone = forms.CharField(label=_("Téléphone"), required=False, max_length=20)
    nina = forms.CharField(label=_("NINA"), required=False, max_length=20)
    birth_certificate_number = forms.CharField(
        label=_("N° d'acte de naissance"), required=False, max_length=40
    )
    ramed_number = forms.CharField(label=_("N° RAMED"), required=False, max_length=40)
    mutuelle_number = forms.CharField(label=_("N° mutuelle"), required=False, max_length=40)
    confirm_not_duplicate = forms.BooleanField(
        label=_("J'ai vérifié : ce n'est aucune des personnes proposées."), required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("date_of_birth") is None and "date_of_birth" not in self.errors:
            years, months = cleaned.get("age_years"), cleaned.get("age_months")
            if years is not None and years > MAX_AGE_YEARS:
                raise ValidationError(
                    {"age_years": _("Âge impossible : plus de %(max)s ans.") % {"max": MAX_AGE_YEARS}}
                )
            if years is not None or months is not None:
                cleaned["date_of_birth"] = estimated_birth_date(
                    age_years=years, age_months=months, today=timezone.localdate()
                )
                cleaned["date_of_birth_estimated"] = True
        return cleaned

    def person_data(self) -> PersonData:
        c = self.cleaned_data
        return PersonData(
            family_name=c.get("family_name", ""),
            given_names=c.get("given_names", ""),
            sex=c.get("sex", ""),
            date_of_birth=c.get("date_of_birth"),
            date_of_birth_estimated=c.get("date_of_birth_estimated", False),
            relationship_to_head=c.get("relationship_to_head", Relationship.OTHER),
            phone=c.get("phone", ""),
            nina=c.get("nina", ""),
            birth_certificate_number=c.get("birth_certificate_number", ""),
            ramed_number=c.get("ramed_number", ""),
            mutuelle_number=c.get("mutuelle_number", ""),
        )

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show a service's field errors next to this form's fields."""
        for key, messages in exc.message_dict.items():
            field = key.rsplit(".", 1)[-1]
            if field == "date_of_birth" and self.cleaned_data.get("date_of_birth_estimated"):
                field = "age_years"
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class HouseholdForm(PersonForm):
    """A new household, with its head registered at the same time."""

    quartier = forms.ModelChoiceField(label=_("Quartier"), queryset=Area.objects.none())
    address_description = forms.CharField(
        label=_("Repères pour trouver la maison"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ex. : derrière la mosquée, portail bleu, à côté de la boutique de Seydou."),
    )
    household_phone = forms.CharField(label=_("Téléphone du ménage"), required=False, max_length=20)
    gps_latitude = forms.FloatField(label=_("Latitude GPS"), required=False)
    gps_longitude = forms.FloatField(label=_("Longitude GPS"), required=False)

    field_order = [
        "quartier",
        "address_description",
        "household_phone",
        "gps_latitude",
        "gps_longitude",
        "family_name",
        "given_names",
        "sex",
        "date_of_birth",
        "age_years",
        "age_months",
        "phone",
        "nina",
        "birth_certificate_number",
        "ramed_number",
        "mutuelle_number",
    ]

    def __init__(self, *args: Any, quartiers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["quartier"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = quartiers
        if quartiers.count() == 1:
            field.initial = quartiers.first()
        del self.fields["relationship_to_head"]

    def person_data(self) -> PersonData:
        data = super().person_data()
        data.relationship_to_head = Relationship.HEAD
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        renamed = {("household_phone" if k == "phone" else k): v for k, v in exc.message_dict.items()}
        super().add_service_errors(ValidationError(renamed))


class DeathForm(forms.Form):
    date_of_death = forms.DateField(label=_("Date du décès"), widget=DateInput())
