"""The child 5-17 years home visit on the web (clinical-rules.md 7): offered, stored, alerted."""

import html
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from keneya.alerts.models import Alert
from keneya.people.models import Person
from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.referrals.models import Referral
from keneya.visits.forms import available_kinds
from keneya.visits.models import Visit, VisitKind

URL = "/personnes/{}/visites/nouvelle/suivi-enfant-5-17-ans/"


def years_ago(years, days=0):
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


@pytest.fixture
def pupil(db, users, household_factory):
    household = household_factory(users.chw1, phone="76 11 22 44")
    return add_member(by=users.chw1, household=household, data=person("Traoré", "Awa", "F", years_ago(9)))


@pytest.fixture
def chw(client, users):
    client.force_login(users.chw1)
    return client


def form(**overrides):
    data = {"id": str(uuid.uuid4()), "visit_date": str(timezone.localdate())}
    data.update(overrides)
    return data


def text(response):
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("age", "offered"),
    [((4, 0), False), ((5, 0), True), ((12, 0), True), ((17, 300), True), ((18, 0), False)],
)
def test_offered_to_children_of_5_to_17_years(age, offered):
    someone = Person(family_name="Traoré", given_names="Ali", sex="M", date_of_birth=years_ago(*age))
    assert (VisitKind.OLDER_CHILD_FOLLOWUP in available_kinds(someone, timezone.localdate())) is offered


def test_the_new_visit_page_offers_it_with_its_label(chw, pupil):
    page = text(chw.get(f"/personnes/{pupil.pk}/visites/nouvelle/"))
    assert "Suivi de l'enfant (5-17 ans)" in page
    assert "Enfant malade" not in page
    form_page = text(chw.get(URL.format(pupil.pk)))
    assert "Convulsions" in form_page and "Va à l'école" in form_page and "Poids (kg)" in form_page


def test_a_danger_sign_is_stored_and_raises_an_urgent_alert_and_a_referral(chw, pupil):
    response = chw.post(
        URL.format(pupil.pk),
        form(convulsions="yes", fever="yes", fever_days="2", weight_kg="27.5", length_or_height_cm="131.2",
             in_school="yes", school_level="primary"),
    )  # fmt: skip
    assert response.status_code == 302, text(response)[:3000]
    visit = Visit.objects.get(person=pupil)
    assert visit.kind == VisitKind.OLDER_CHILD_FOLLOWUP
    assert visit.urgent is True and visit.action == "urgent_referral"
    assert visit.assessment["danger_signs"] == ["convulsions"]
    assert visit.assessment["zscores"]["bmi"]["z"] is not None
    assert visit.findings["in_school"] is True and visit.findings["school_level"] == "primary"
    alert = Alert.objects.get(visit=visit)
    assert alert.rule == "danger_sign" and alert.priority == "urgent"
    assert Referral.objects.filter(person=pupil).exists()
    result = text(chw.get(response["Location"]))
    assert "Référer d'urgence" in result and "IMC pour l'âge" in result


def test_severe_thinness_raises_its_alert_without_urgent_referral(chw, pupil):
    response = chw.post(URL.format(pupil.pk), form(weight_kg="20.0", length_or_height_cm="133.0"))
    assert response.status_code == 302, text(response)[:3000]
    visit = Visit.objects.get(person=pupil)
    assert "severe_thinness" in visit.assessment["classifications"]
    assert visit.action == "non_urgent_referral" and visit.urgent is False
    alert = Alert.objects.get(visit=visit)
    assert alert.rule == "severe_thinness"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"weight_kg": "0.1"}, "weight_kg"),
        ({"length_or_height_cm": "500"}, "length_or_height_cm"),
        ({"fever": "no", "fever_days": "3"}, "fever_days"),
        ({"in_school": "no", "school_level": "primary"}, "school_level"),
    ],
)
def test_bad_input_comes_back_in_french_and_stores_nothing(chw, pupil, data, field):
    response = chw.post(URL.format(pupil.pk), form(**data))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Rien n'a été enregistré" in text(response)
    assert not Visit.objects.filter(person=pupil).exists()


def test_not_offered_to_a_toddler(chw, users, household_factory):
    household = household_factory(users.chw1)
    toddler = add_member(by=users.chw1, household=household, data=person("Traoré", "Issa", "M", years_ago(3)))
    assert chw.get(URL.format(toddler.pk)).status_code == 404


def test_the_sick_child_result_names_the_pre_referral_treatment(chw, toddler):
    """#11 §4: the result names the first dose the rules give (S1), not 'le traitement indiqué'."""
    response = chw.post(
        f"/personnes/{toddler.pk}/visites/nouvelle/enfant-malade/",
        form(cough="yes", chest_indrawing="yes", respiratory_rate="44", diarrhoea="yes", diarrhoea_days="2"),
    )
    assert response.status_code == 302, text(response)[:3000]
    visit = Visit.objects.get(person=toddler)
    assert visit.assessment["pre_referral"] == ["ors", "amoxicillin_first_dose"]
    assert "fast_breathing" not in visit.assessment["classifications"]
    page = text(chw.get(response["Location"]))
    assert "première dose d'amoxicilline" in page and "SRO" in page
    assert "traitement pré-transfert indiqué." not in page
