"""A person's data export and anonymisation (issue #10, Mali law 2013-015)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from keneya.alerts.models import Alert
from keneya.people.models import Household, Person
from keneya.people.services import add_member, update_person
from keneya.people.tests.factories import person
from keneya.records.models import Anonymisation, Consultation, RecordAccess
from keneya.records.privacy import anonymise_person
from keneya.records.services import record_consultation
from keneya.referrals.models import Referral
from keneya.visits.models import Visit
from keneya.visits.services import record_home_visit

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def alone(users: Any, household_factory: Any, district: Any) -> Person:
    """A child living alone in her household (GPS, phones), with an urgent visit (alert and
    referral), a consultation, and a read by her CHW."""
    household = household_factory(
        users.chw1,
        members=[
            person(
                "Diarra",
                "Kadiatou",
                "F",
                timezone.localdate() - timedelta(days=400),
                "head",
                phone="76 12 34 56",
                nina="12345678901234X",
                ramed_number="RAMED-42",
            )
        ],
        phone="76 12 34 56",
        gps_latitude=12.6392,
        gps_longitude=-8.0029,
        address_description="Derrière la mosquée",
    )
    child = household.members.get()
    update_person(by=users.chw1, person=child, changes={"given_names": "Kadiatou Aïssata"})
    record_home_visit(
        by=users.chw1,
        person=child,
        visit_date=timezone.localdate(),
        kind="sick_child",
        findings={"convulsions": True},
        measurements={"weight_kg": 8.5},
    )
    record_consultation(
        by=users.clinician1,
        person=child,
        complaint="Kadiatou convulse",
        treatment="Diazépam",
        diagnoses=["R56.8"],
    )
    client_for(users.chw1).get(f"/personnes/{child.pk}/")
    return child


def test_the_export_holds_every_part_of_the_persons_data(users, alone):
    response = client_for(users.admin).get(f"/api/v1/persons/{alone.pk}/export/")
    assert response.status_code == 200
    data = response.json()
    parts = data["parts"]
    assert list(parts) == [
        "registry",
        "household",
        "visits",
        "alerts",
        "referrals",
        "consultations",
        "lab_results",
        "break_glass",
        "access_log",
    ]
    assert parts["registry"]["data"]["family_name"] == "Diarra"
    assert parts["registry"]["data"]["nina"] == "12345678901234X"
    assert len(parts["registry"]["data"]["changes"]) == 2  # registered, renamed
    assert parts["household"]["data"]["address_description"] == "Derrière la mosquée"
    assert parts["visits"]["data"][0]["measurements"]["weight_kg"] == 8.5
    assert len(parts["alerts"]["data"]) == 1 and len(parts["referrals"]["data"]) == 1
    assert parts["consultations"]["data"][0]["diagnoses"][0].startswith("R56.8")
    assert parts["access_log"]["data"][0]["action"] == "person_page"
    # the export is itself logged as a read
    assert (
        RecordAccess.objects.filter(person=alone, action="person_export_api", user=users.admin).count() == 1
    )


def test_the_printable_export_page_is_french(users, alone):
    page = client_for(users.admin).get(f"/patients/{alone.pk}/donnees/")
    assert page.status_code == 200
    text = page.content.decode()
    for expected in (
        "Données détenues par Kènèya",
        "2013-015",
        "Prénoms",
        "Kadiatou Aïssata",
        "N° de carte RAMED",
        "Visites à domicile",
        "Consultations",
        "Qui a consulté ce dossier",
    ):
        assert expected in text, expected


@pytest.mark.parametrize("role", ["chw1", "clinician1", "manager1", "social"])
def test_only_the_administrator_exports_or_anonymises(role, users, alone):
    client = client_for(getattr(users, role))
    assert client.get(f"/api/v1/persons/{alone.pk}/export/").status_code == 403
    assert client.get(f"/patients/{alone.pk}/donnees/").status_code == 403
    assert (
        client.post(
            f"/patients/{alone.pk}/anonymiser/", {"reason": "x" * 10, "confirmation": "ANONYMISER"}
        ).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        anonymise_person(by=getattr(users, role), person=alone, reason="Demande écrite", confirm=True)
    assert Person.objects.get(pk=alone.pk).family_name == "Diarra"


def test_anonymisation_needs_a_reason_and_a_confirmation(users, alone):
    with pytest.raises(ValidationError):
        anonymise_person(by=users.admin, person=alone, reason="", confirm=True)
    with pytest.raises(ValidationError):
        anonymise_person(by=users.admin, person=alone, reason="Demande écrite du 3 mars", confirm=False)
    page = client_for(users.admin).post(
        f"/patients/{alone.pk}/anonymiser/", {"reason": "Demande", "confirmation": "oui"}
    )
    assert page.status_code == 400 and "Tapez ANONYMISER" in page.content.decode()
    assert not Anonymisation.objects.exists()


def counts(p: Person) -> tuple[int, ...]:
    return (
        Visit.objects.filter(person=p).count(),
        Alert.objects.filter(person=p).count(),
        Referral.objects.filter(person=p).count(),
        Consultation.objects.filter(person=p).count(),
    )


def test_anonymisation_removes_personal_data_and_keeps_the_counts(users, alone):
    before = counts(alone)
    response = client_for(users.admin).post(
        f"/patients/{alone.pk}/anonymiser/",
        {"reason": "Demande écrite du 3 mars", "confirmation": "anonymiser"},
    )
    assert response.status_code == 302
    p = Person.objects.get(pk=alone.pk)
    assert counts(p) == before == (1, 1, 1, 1)
    assert (p.family_name, p.given_names, p.name_key) == ("ANONYME", "", "")
    assert (p.phone, p.nina, p.ramed_number, p.mutuelle_number, p.birth_certificate_number) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert p.date_of_birth == date(alone.date_of_birth.year, 7, 1) and p.date_of_birth_estimated
    assert p.sex == "F"
    assert not p.history.exists()  # the history rows held the old names
    h = Household.objects.get(pk=p.household_id)
    assert (h.gps_latitude, h.gps_longitude, h.phone, h.address_description) == (None, None, "", "")
    assert "diarra" not in h.search_text and "kadiatou" not in h.search_text
    assert not h.history.exists()
    c = Consultation.objects.get(person=p)
    assert (c.complaint, c.treatment) == ("", "") and c.diagnoses.get().icd10_code == "R56.8"
    record = Anonymisation.objects.get()
    assert record.by == users.admin and record.reason == "Demande écrite du 3 mars"
    assert RecordAccess.objects.filter(person=p, action="anonymisation").count() == 1
    # nothing of the name is left in what the export shows
    export = client_for(users.admin).get(f"/api/v1/persons/{p.pk}/export/").content.decode()
    for secret in ("Diarra", "Kadiatou", "76 12 34 56", "12345678901234X", "RAMED-42", "mosquée"):
        assert secret not in export, secret


def test_a_household_with_other_members_keeps_its_address(users, alone):
    sister = add_member(
        by=users.chw1,
        household=alone.household,
        data=person("Diarra", "Awa", "F", date(2015, 1, 1), "sibling"),
    )
    anonymise_person(by=users.admin, person=alone, reason="Demande écrite", confirm=True)
    h = Household.objects.get(pk=alone.household_id)
    assert h.address_description == "Derrière la mosquée" and h.gps_latitude is not None
    assert Person.objects.get(pk=sister.pk).given_names == "Awa"
    assert "aua" in h.search_text and "kadiatou" not in h.search_text  # "Awa", normalised


def test_a_second_anonymisation_changes_nothing(users, alone):
    first = anonymise_person(by=users.admin, person=alone, reason="Demande écrite", confirm=True)
    snapshot = Person.objects.filter(pk=alone.pk).values().get()
    rows = RecordAccess.objects.count()
    second = anonymise_person(by=users.admin, person=alone, reason="Encore", confirm=True)
    assert second.pk == first.pk and Anonymisation.objects.count() == 1
    assert Person.objects.filter(pk=alone.pk).values().get() == snapshot
    assert RecordAccess.objects.count() == rows
    page = client_for(users.admin).get(f"/patients/{alone.pk}/anonymiser/")
    assert page.status_code == 200 and "Anonymisée le" in page.content.decode()


def test_the_chws_tablet_gets_the_anonymised_person_at_its_next_pull(users, alone):
    from keneya.sync.models import ChangeLog

    last = ChangeLog.objects.filter(chw=users.chw1).order_by("-seq").first()
    anonymise_person(by=users.admin, person=alone, reason="Demande écrite", confirm=True)
    new = ChangeLog.objects.filter(chw=users.chw1, seq__gt=last.seq if last else 0)
    assert {(c.type, c.object_id) for c in new} >= {("person", alone.pk), ("household", alone.household_id)}
