"""The vaccination card on the CHW's visit form: copied dates become observations, once."""

import html
import re
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.visits.forms import VisitForm
from keneya.visits.models import Observation, Visit
from keneya.worklist.queries import tasks_for_chw

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def born_days_ago(days):
    return TODAY() - timedelta(days=days)


@pytest.fixture
def household(users, household_factory):
    return household_factory(users.chw1)


@pytest.fixture
def child(users, household):
    # 380 days: the doses of birth, 6, 10 and 14 weeks and 9 months are due, not 15 months.
    return add_member(
        by=users.chw1, household=household, data=person("Traoré", "Fanta", "F", born_days_ago(380))
    )


@pytest.fixture
def chw(client, users):
    client.force_login(users.chw1)
    return client


def text(response):
    return html.unescape(response.content.decode())


def follow_up_url(who):
    return f"/personnes/{who.pk}/visites/nouvelle/suivi-enfant/"


def follow_up(**card):
    data = {
        "id": str(uuid.uuid4()),
        "visit_date": str(TODAY()),
        "weight_kg": "9.1",
        "length_or_height_cm": "75",
        "muac_mm": "140",
    }
    data.update({f"vaccine_{code}": value for code, value in card.items()})
    return data


def asked(page):
    return set(re.findall(r'name="vaccine_(\w+)"', page))


def test_the_form_asks_the_doses_of_the_childs_age(chw, child):
    page = text(chw.get(follow_up_url(child)))
    assert "Carte de vaccination" in page
    assert {"BCG", "VPO0", "PENTA1", "PENTA3", "VPI1", "RR1", "VAA", "MENA"} <= asked(page)
    assert "RR2" not in asked(page)  # 15 months: not yet
    assert "R21_1" not in asked(page)  # switched off in the programme
    assert "Naissance" in page and "6 semaines" in page and "9 mois" in page
    assert asked(text(chw.get(f"/personnes/{child.pk}/visites/nouvelle/enfant-malade/")))


def test_a_card_is_stored_as_one_observation_per_dose(chw, child):
    given = {"BCG": born_days_ago(378), "PENTA1": born_days_ago(330)}
    response = chw.post(follow_up_url(child), follow_up(**{c: d.isoformat() for c, d in given.items()}))
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert visit.findings == {"vaccines": {c: d.isoformat() for c, d in given.items()}}
    stored = {
        o.code: o.value_date for o in Observation.objects.filter(visit=visit, code__startswith="vaccine:")
    }
    assert stored == {f"vaccine:{c}": d for c, d in given.items()}
    page = text(chw.get(response["Location"]))
    assert "Vaccins notés à cette visite" in page
    assert "BCG (tuberculose)" in page and "Penta 1 (DTC-HepB-Hib)" in page
    assert "Prochains vaccins" in page and "Penta 2 (DTC-HepB-Hib)" in page
    assert "en retard" in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("before_birth", "Date avant la naissance"),
        ("tomorrow", "Date après la visite"),
        ("2026-02-31", "Date invalide"),
        ("hier", "Date invalide"),
    ],
)
def test_a_bad_date_shows_a_french_error_and_saves_nothing(chw, child, value, message):
    raw = {"before_birth": str(born_days_ago(400)), "tomorrow": str(TODAY() + timedelta(days=1))}.get(
        value, value
    )
    response = chw.post(follow_up_url(child), follow_up(BCG=str(born_days_ago(378)), PENTA1=raw))
    assert response.status_code == 400
    page = text(response)
    assert message in page and "Rien n'a été enregistré" in page
    assert re.search(r'data-dose="PENTA1">\s*<label[^>]*>[^<]*</label>', page)
    assert Visit.objects.count() == 0 and Observation.objects.count() == 0


def test_a_date_after_an_earlier_visit_date_is_refused(chw, child):
    visit_day = TODAY() - timedelta(days=10)
    data = follow_up(PENTA1=str(TODAY() - timedelta(days=3)))
    data["visit_date"] = str(visit_day)
    response = chw.post(follow_up_url(child), data)
    assert response.status_code == 400 and "Date après la visite" in text(response)
    assert Visit.objects.count() == 0


def test_doses_already_recorded_are_shown_given_and_not_asked_again(chw, child):
    first = born_days_ago(330)
    chw.post(follow_up_url(child), follow_up(PENTA1=str(first)))
    page = text(chw.get(follow_up_url(child)))
    assert "PENTA1" not in asked(page) and "PENTA2" in asked(page)
    assert f"fait le {first:%d/%m/%Y}" in page
    # A date sent anyway for a recorded dose is not a field of the form: it is ignored.
    chw.post(follow_up_url(child), follow_up(PENTA1=str(born_days_ago(300)), PENTA2=str(born_days_ago(290))))
    rows = Observation.objects.filter(person=child, code__startswith="vaccine:")
    assert sorted(rows.values_list("code", "value_date")) == [
        ("vaccine:PENTA1", first),
        ("vaccine:PENTA2", born_days_ago(290)),
    ]


def test_a_complete_card_clears_the_vaccine_task(chw, users, child):
    def vaccine_tasks():
        return [
            t
            for t in tasks_for_chw(chw=users.chw1, on=TODAY())
            if t.kind == "vaccine_due" and t.person_id == child.pk
        ]

    assert vaccine_tasks() and vaccine_tasks()[0].status == "overdue"
    page = text(chw.get(follow_up_url(child)))
    card = {code: str(born_days_ago(100)) for code in asked(page)}
    assert chw.post(follow_up_url(child), follow_up(**card)).status_code == 302
    assert vaccine_tasks() == []  # RR2 comes at 15 months, beyond the task horizon


def test_the_newborns_postnatal_visit_asks_the_birth_doses_not_the_mothers(chw, users, household):
    baby = add_member(
        by=users.chw1, household=household, data=person("Traoré", "Bintou", "F", born_days_ago(5))
    )
    page = text(chw.get(f"/personnes/{baby.pk}/visites/nouvelle/postnatale/"))
    assert asked(page) == {"BCG", "VPO0"}
    mother = add_member(
        by=users.chw1,
        household=household,
        data=person("Diarra", "Awa", "F", born_days_ago(26 * 365), "spouse"),
    )
    page = text(chw.get(f"/personnes/{mother.pk}/visites/nouvelle/postnatale/"))
    assert "Carte de vaccination" not in page and not asked(page)
    page = text(chw.get(f"/personnes/{mother.pk}/visites/nouvelle/grossesse/"))
    assert "Carte de vaccination" not in page


def test_the_services_card_error_is_shown_on_the_dose(child):
    form = VisitForm(data={}, person=child, kind="child_followup", today=TODAY())
    form.is_valid()
    form.add_service_errors(
        ValidationError({"vaccines": ["PENTA1 : la date doit être entre la naissance et la visite."]})
    )
    assert "entre la naissance et la visite" in form.errors["vaccine_PENTA1"][0]
