"""Editing a person on the web, and the duplicate warning's links and sentence (issue 11 §4)."""

from __future__ import annotations

from datetime import date

import pytest

from keneya.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def moussa(users, household_factory):
    household = household_factory(users.chw1)
    return household.members.get(given_names="Moussa")


def edit_data(person, **overrides):
    data = {
        "family_name": person.family_name,
        "given_names": person.given_names,
        "sex": person.sex,
        "date_of_birth": person.date_of_birth.isoformat(),
        "relationship_to_head": person.relationship_to_head,
        "phone": person.phone,
        "nina": person.nina,
        "birth_certificate_number": person.birth_certificate_number,
        "ramed_number": person.ramed_number,
        "mutuelle_number": person.mutuelle_number,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_person_page_and_household_page_link_to_the_edit_page(client, users, moussa):
    client.force_login(users.chw1)
    url = f"/personnes/{moussa.pk}/modifier/"
    assert url in client.get(f"/personnes/{moussa.pk}/").content.decode()
    assert url in client.get(f"/menages/{moussa.household_id}/").content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "Modifier la fiche" in page.content.decode()


def test_chw_corrects_name_phone_identifiers_and_estimated_birth_date(client, users, moussa):
    client.force_login(users.chw1)
    response = client.post(
        f"/personnes/{moussa.pk}/modifier/",
        edit_data(
            moussa,
            given_names="Moussa  Bakary",
            phone="76 12 34 56",
            nina="1234567890123A",
            ramed_number="RAM-42",
            mutuelle_number="MUT-7",
            date_of_birth="1984-07-15",
            date_of_birth_estimated="on",
        ),
    )
    assert response.status_code == 302
    moussa.refresh_from_db()
    assert moussa.given_names == "Moussa Bakary"
    assert moussa.phone == "+22376123456"  # stored E.164
    assert (moussa.nina, moussa.ramed_number, moussa.mutuelle_number) == ("1234567890123A", "RAM-42", "MUT-7")
    assert moussa.date_of_birth == date(1984, 7, 15) and moussa.date_of_birth_estimated
    latest = moussa.history.order_by("-history_date").first()
    assert latest.history_user == users.chw1
    page = client.get(f"/personnes/{moussa.pk}/").content.decode()
    assert "+223 76 12 34 56" in page
    assert "Fiche de Moussa Bakary Traoré modifiée." in page
    assert "téléphone" in page and "n° de carte RAMED" in page  # what changed, in the history


def test_bad_values_give_french_errors_and_change_nothing(client, users, moussa):
    client.force_login(users.chw1)
    response = client.post(
        f"/personnes/{moussa.pk}/modifier/",
        edit_data(moussa, phone="12", date_of_birth="2099-01-01", family_name="Tr4oré"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Numéro de téléphone invalide" in html
    assert "ne peut pas être dans le futur" in html
    assert "ne contient pas de chiffres" in html
    assert Person.objects.get(pk=moussa.pk).phone == ""


def test_a_second_head_is_refused_in_french(client, users, moussa):
    aminata = moussa.household.members.get(given_names="Aminata")
    client.force_login(users.chw1)
    response = client.post(
        f"/personnes/{aminata.pk}/modifier/", edit_data(aminata, relationship_to_head="head")
    )
    assert response.status_code == 400
    assert "déjà un chef de ménage" in response.content.decode()


def test_nothing_changed_saves_nothing(client, users, moussa):
    client.force_login(users.chw1)
    before = moussa.history.count()
    response = client.post(f"/personnes/{moussa.pk}/modifier/", edit_data(moussa))
    assert response.status_code == 302
    assert moussa.history.count() == before


def test_other_zone_and_referred_only_people_are_not_found(client, users, moussa):
    from keneya.referrals.services import refer_to_csref

    client.force_login(users.chw2)
    assert client.get(f"/personnes/{moussa.pk}/modifier/").status_code == 404
    assert client.post(f"/personnes/{moussa.pk}/modifier/", edit_data(moussa, nina="X")).status_code == 404
    refer_to_csref(by=users.clinician1, person=moussa, reason="Avis spécialisé.")
    client.force_login(users.specialist)  # sees the referred person, may not edit the registry
    assert client.get(f"/personnes/{moussa.pk}/modifier/").status_code == 403
    assert Person.objects.get(pk=moussa.pk).nina == ""


def test_duplicate_warning_links_to_the_person_and_says_why_the_form_came_back(
    client, users, household_factory
):
    household = household_factory(users.chw1)
    aminata = household.members.get(given_names="Aminata")
    client.force_login(users.chw1)
    data = {
        "family_name": "Traore",
        "given_names": "Aminata",
        "sex": "F",
        "date_of_birth": "2022-03-01",
        "relationship_to_head": "child",
    }
    html = client.post(f"/menages/{household.pk}/membres/nouveau/", data).content.decode()
    assert f'href="/personnes/{aminata.pk}/" target="_blank" rel="noopener"' in html
    assert "Cochez la case pour confirmer qu'il ne s'agit pas de la même personne" in html


def test_duplicate_of_another_zone_is_named_but_not_linked(client, users, district, household_factory):
    household_factory(users.admin, quartier=district.q1b, chw=users.chw2)  # same health area, not mine
    mine = household_factory(users.chw1, members=[])
    client.force_login(users.chw1)
    data = {
        "family_name": "Traoré",
        "given_names": "Aminata",
        "sex": "F",
        "date_of_birth": "2021-07-14",
        "relationship_to_head": "child",
    }
    html = client.post(f"/menages/{mine.pk}/membres/nouveau/", data).content.decode()
    assert "doublon possible" in html and "suivi·e par un autre relais" in html
    assert 'target="_blank"' not in html
