"""The web form that edits a person (issue 11 §4). It parses; ``services.update_person`` checks
the rules (the same as at registration, and the same service the tablet's edits go through) and
keeps the history."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keneya.core.phones import format_phone
from keneya.people.forms import DateInput
from keneya.people.models import Person, Relationship, Sex

EDITABLE = (
    "family_name",
    "given_names",
    "sex",
    "date_of_birth",
    "date_of_birth_estimated",
    "relationship_to_head",
    "phone",
    "nina",
    "birth_certificate_number",
    "ramed_number",
    "mutuelle_number",
)


class PersonEditForm(forms.Form):
    family_name = forms.CharField(label=_("Nom de famille"), max_length=80, required=False)
    given_names = forms.CharField(label=_("Prénom(s)"), max_length=120, required=False)
    sex = forms.ChoiceField(label=_("Sexe"), choices=Sex.choices, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(label=_("Date de naissance"), required=False, widget=DateInput())
    date_of_birth_estimated = forms.BooleanField(
        label=_("Date estimée (l'âge seul est connu)"), required=False
    )
    relationship_to_head = forms.ChoiceField(
        label=_("Lien avec le chef de ménage"), choices=Relationship.choices
    )
    phone = forms.CharField(
        label=_("Téléphone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "placeholder": "76 12 34 56"}),
    )
    nina = forms.CharField(label=_("NINA"), required=False, max_length=20)
    birth_certificate_number = forms.CharField(
        label=_("N° d'acte de naissance"), required=False, max_length=40
    )
    ramed_number = forms.CharField(label=_("N° RAMED"), required=False, max_length=40)
    mutuelle_number = forms.CharField(label=_("N° mutuelle"), required=False, max_length=40)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        initial = {name: getattr(person, name) for name in EDITABLE}
        initial["phone"] = format_phone(person.phone)
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.person = person

    def changes(self) -> dict[str, Any]:
        """The fields whose value differs from the record (the service validates them all)."""
        changes = {}
        for name in EDITABLE:
            value = self.cleaned_data.get(name)
            current = getattr(self.person, name)
            if name == "phone":
                if (value or "").replace(" ", "") != (format_phone(current) or "").replace(" ", ""):
                    changes[name] = value or ""
            elif value != current:
                changes[name] = value if value is not None or name == "date_of_birth" else ""
        return changes

    def add_service_errors(self, exc: Any) -> None:
        for key, messages in exc.message_dict.items():
            field = key.rsplit(".", 1)[-1]
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
