"""Registry pages in French, as a CHW uses them."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from keneya.people.models import Household, Person
from keneya.people.tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def chw_client(client, users):
    client.force_login(users.chw1)
    return client


def household_form(district, **overrides):
    data = {
        "quartier": str(district.q1a.pk),
        "address_description": "Près de l'école",
        "household_phone": "76 55 44 33",
        "family_name": "Sangaré",
        "given_names": "Drissa",
        "sex": "M",
        "date_of_birth": "1975-05-05",
    }
    data.update(overrides)
    return data


def test_register_household_page_creates_household_and_redirects(chw_client, district):
    response = chw_client.post("/menages/nouveau/", household_form(district))
    household = Household.objects.get()
    assert response.status_code == 302 and str(household.pk) in response["Location"]
    assert household.head is not None and household.head.family_name == "Sangaré"
    page = chw_client.get(response["Location"])
    assert "Sangaré" in page.content.decode() and "Ajouter un membre" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date_of_birth": str(timezone.localdate() + timedelta(days=1))}, "ne peut pas être dans le futur"),
        ({"family_name": ""}, "Le nom est obligatoire"),
        ({"date_of_birth": "", "age_years": "140"}, "Âge impossible"),
        ({"household_phone": "123"}, "Numéro de téléphone invalide"),
    ],
)
def test_invalid_registration_shows_a_french_error_and_saves_nothing(
    chw_client, district, overrides, message
):
    response = chw_client.post("/menages/nouveau/", household_form(district, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_age_instead_of_birth_date_gives_an_estimated_date(chw_client, district):
    chw_client.post("/menages/nouveau/", household_form(district, date_of_birth="", age_years="40"))
    head = Person.objects.get()
    assert head.date_of_birth_estimated
    assert 39 <= (timezone.localdate() - head.date_of_birth).days // 365 <= 41


def test_near_identical_name_shows_the_duplicate_warning_before_saving(chw_client, users, household_factory):
    household = household_factory(users.chw1)  # has Aminata Traoré, born 2021-07-14
    url = f"/menages/{household.pk}/membres/nouveau/"
    data = {
        "family_name": "Traore",
        "given_names": "Aminata",
        "sex": "F",
        "date_of_birth": "2022-03-01",
        "relationship_to_head": "child",
    }
    response = chw_client.post(url, data)
    content = response.content.decode()
    assert "doublon possible" in content and "Aminata Traoré" in content
    assert household.members.count() == 2  # not saved yet
    response = chw_client.post(url, {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert household.members.count() == 3


def test_duplicate_check_as_you_type_returns_the_candidates(chw_client, users, district, household_factory):
    household_factory(users.chw1)
    response = chw_client.post(
        "/personnes/similaires/",
        {
            "quartier": str(district.q1a.pk),
            "family_name": "Traoré",
            "given_names": "Aminata",
            "sex": "F",
            "date_of_birth": "2020-12-31",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "doublon possible" in response.content.decode()


def test_register_six_members_through_the_pages(chw_client, users, district):
    chw_client.post("/menages/nouveau/", household_form(district))
    household = Household.objects.get()
    for index, given in enumerate(["Mariam", "Ousmane", "Bintou", "Lassana", "Rokia"]):
        response = chw_client.post(
            f"/menages/{household.pk}/membres/nouveau/",
            {
                "family_name": "Sangaré",
                "given_names": given,
                "sex": "F" if index % 2 == 0 else "M",
                "date_of_birth": str(date(2005 + index * 3, 1, 1)),
                "relationship_to_head": "child",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert household.members.count() == 6


def test_household_list_searches_by_name_code_and_phone(chw_client, users, household_factory):
    household = household_factory(users.chw1, phone="76 12 12 12")
    household_factory(users.chw1, members=[person("Diarra", "Oumou", "F", date(1990, 1, 1), "head")])
    for term in ["traore", "Traoré Moussa", household.code, "76121212"]:
        content = chw_client.get("/menages/", {"q": term}).content.decode()
        assert household.code in content, term
        assert "1 ménage" in content, term
    assert "Oumou Diarra" in chw_client.get("/menages/", {"q": "Jara"}).content.decode()


def test_htmx_search_returns_only_the_rows(chw_client, users, household_factory):
    household_factory(users.chw1)
    response = chw_client.get("/menages/", {"q": "traore"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode() and "<table" in response.content.decode()


def test_household_list_query_count_does_not_grow_with_rows(
    chw_client, users, household_factory, django_assert_max_num_queries
):
    for _ in range(30):
        household_factory(users.chw1)
    with django_assert_max_num_queries(12):
        assert chw_client.get("/menages/").status_code == 200


def test_household_page_query_count_is_bounded(
    chw_client, users, household_factory, django_assert_max_num_queries
):
    from keneya.people.tests.factories import six_members

    household = household_factory(users.chw1, members=six_members())
    with django_assert_max_num_queries(10):
        assert chw_client.get(f"/menages/{household.pk}/").status_code == 200


def test_record_death_page_refuses_a_future_date_in_french(chw_client, users, household_factory):
    household = household_factory(users.chw1)
    child = household.members.get(given_names="Aminata")
    future = str(timezone.localdate() + timedelta(days=5))
    response = chw_client.post(f"/personnes/{child.pk}/deces/", {"date_of_death": future})
    assert response.status_code == 400 and "futur" in response.content.decode()
    response = chw_client.post(f"/personnes/{child.pk}/deces/", {"date_of_death": "2025-01-01"})
    assert response.status_code == 302


def test_statistics_page_shows_counts_without_names(client, users, household_factory):
    household_factory(users.chw1)
    client.force_login(users.me)
    content = client.get("/statistiques/registre/").content.decode()
    assert "Aire de Lafiabougou" in content and "Traoré" not in content


def test_pages_are_french_even_when_the_tablet_asks_for_english(client, users):
    client.force_login(users.chw1)
    response = client.get("/menages/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="fr"' in response.content.decode()
    assert "Ménages" in response.content.decode()


def test_english_is_available_from_the_language_switcher(client, users):
    client.force_login(users.chw1)
    client.post("/i18n/setlang/", {"language": "en", "next": "/menages/"})
    content = client.get("/menages/").content.decode()
    assert 'lang="en"' in content
    assert "Households" in content and "Ménages" not in content


def test_person_page_shows_history_written_without_a_user(chw_client, users, household_factory):
    household = household_factory(users.chw1)
    child = household.members.get(given_names="Aminata")
    child.history.update(history_user=None, history_change_reason="Données de démonstration")
    response = chw_client.get(f"/personnes/{child.pk}/")
    assert response.status_code == 200
    assert "Données de démonstration" in response.content.decode()
