"""The CHW's visit pages in French: choose the kind, answer, see the engine's result at once."""

import html
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from keneya.alerts.models import Alert
from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.referrals.models import Referral
from keneya.visits.forms import VisitForm
from keneya.visits.models import Visit

pytestmark = pytest.mark.django_db


def born_days_ago(days):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def household(users, household_factory):
    return household_factory(users.chw1, phone="76 11 22 33")


@pytest.fixture
def child(users, household):
    return add_member(
        by=users.chw1, household=household, data=person("Traoré", "Fanta", "F", born_days_ago(380))
    )


@pytest.fixture
def chw(client, users):
    client.force_login(users.chw1)
    return client


def text(response):
    return html.unescape(response.content.decode())


def visit_url(who, kind):
    return f"/personnes/{who.pk}/visites/nouvelle/{kind}/"


def sick_child(**overrides):
    data = {
        "id": str(uuid.uuid4()),
        "visit_date": str(timezone.localdate()),
        "cough": "yes",
        "chest_indrawing": "yes",
        "convulsions": "no",
        "respiratory_rate": "44",
        "weight_kg": "8.4",
        "length_or_height_cm": "74",
        "measured_position": "L",
        "muac_mm": "132",
    }
    data.update(overrides)
    return data


def test_kinds_offered_follow_the_person(chw, users, household, child):
    page = text(chw.get(f"/personnes/{child.pk}/visites/nouvelle/"))
    assert "Enfant malade" in page and "Suivi de l'enfant" in page
    assert "grossesse" not in page
    mother = add_member(
        by=users.chw1,
        household=household,
        data=person("Diarra", "Awa", "F", born_days_ago(26 * 365), "spouse"),
    )
    page = text(chw.get(f"/personnes/{mother.pk}/visites/nouvelle/"))
    assert "Suivi de grossesse" in page and "Enfant malade" not in page
    assert chw.get(visit_url(child, "grossesse")).status_code == 404
    assert chw.get(visit_url(child, "danse")).status_code == 404


def test_sick_child_form_asks_the_questions_of_the_age_band(chw, users, household, child):
    page = text(chw.get(visit_url(child, "enfant-malade")))
    assert "Tirage sous-costal" in page and "Durée de la toux (jours)" in page
    assert "Périmètre brachial (mm)" in page and "Ictère" not in page
    baby = add_member(
        by=users.chw1, household=household, data=person("Traoré", "Bintou", "F", born_days_ago(10))
    )
    page = text(chw.get(visit_url(baby, "enfant-malade")))
    assert "Ictère apparu dans les premières 24 heures" in page
    assert "Durée de la toux" not in page and "Périmètre brachial" not in page


def test_danger_sign_shows_refer_urgently_with_reasons_and_the_slip(chw, child):
    response = chw.post(visit_url(child, "enfant-malade"), sick_child())
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/visites/{visit.pk}/"
    page = text(chw.get(response["Location"]))
    assert "Référer d'urgence" in page
    assert "Tirage sous-costal : référer d'urgence." in page  # a reason's text_fr
    assert "Poids pour l'âge" in page  # z-scores
    referral = Referral.objects.get()
    assert f"/references/{referral.pk}/fiche/" in page
    assert Alert.objects.get().priority == "urgent"
    assert visit.findings["chest_indrawing"] is True and visit.findings["convulsions"] is False


def test_the_same_form_sent_twice_saves_one_visit(chw, child):
    data = sick_child()
    chw.post(visit_url(child, "enfant-malade"), data)
    again = chw.post(visit_url(child, "enfant-malade"), data)
    assert again.status_code == 302
    assert Visit.objects.count() == 1 and Alert.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"visit_date": str(timezone.localdate() + timedelta(days=2))}, "ne peut pas être dans le futur"),
        ({"respiratory_rate": "500"}, "inférieure ou égale à 200"),
        ({"cough": "no", "cough_days": "5"}, "Vous avez répondu « Non »"),
        ({"muac_mm": "20"}, "supérieure ou égale à 50"),
        ({"weight_kg": "abc"}, "Saisissez un nombre"),
    ],
)
def test_bad_input_shows_a_french_error_and_saves_nothing(chw, child, overrides, message):
    response = chw.post(visit_url(child, "enfant-malade"), sick_child(**overrides))
    assert response.status_code == 400
    page = text(response)
    assert message in page and "Rien n'a été enregistré" in page
    assert Visit.objects.count() == 0 and Alert.objects.count() == 0


def test_pregnancy_dates_are_checked_in_french(chw, users, household):
    mother = add_member(
        by=users.chw1,
        household=household,
        data=person("Diarra", "Awa", "F", born_days_ago(26 * 365), "spouse"),
    )
    response = chw.post(
        visit_url(mother, "grossesse"),
        {
            "id": str(uuid.uuid4()),
            "visit_date": str(timezone.localdate()),
            "lmp": str(timezone.localdate() - timedelta(days=400)),
        },
    )
    assert response.status_code == 400
    assert "la grossesse est terminée" in text(response)
    response = chw.post(
        visit_url(mother, "grossesse"),
        {
            "id": str(uuid.uuid4()),
            "visit_date": str(timezone.localdate()),
            "lmp": str(timezone.localdate() - timedelta(days=70)),
            "vaginal_bleeding": "yes",
        },
    )
    page = text(chw.get(response["Location"]))
    assert "Référer d'urgence" in page and "Saignement vaginal" in page
    assert "Âge gestationnel : 10 semaines et 0 jours." in page


def test_engine_messages_are_replaced_by_french_ones(users, child):
    from keneya.visits.services import record_home_visit

    with pytest.raises(ValidationError) as refused:
        record_home_visit(
            by=users.chw1,
            person=child,
            visit_date=timezone.localdate(),
            kind="sick_child",
            findings={"cough": False, "cough_days": 5},
        )
    assert list(refused.value.message_dict) == ["cough_days"]
    form = VisitForm(data={}, person=child, kind="sick_child", today=timezone.localdate())
    form.is_valid()
    form.add_service_errors(refused.value)
    assert "contradictoire" in form.errors["cough_days"][0]


def test_follow_up_visit_sends_only_the_signs_seen(chw, child):
    chw.post(
        visit_url(child, "suivi-enfant"),
        {
            "id": str(uuid.uuid4()),
            "visit_date": str(timezone.localdate()),
            "weight_kg": "9.1",
            "length_or_height_cm": "75",
            "muac_mm": "140",
            "convulsions": "no",
        },
    )
    visit = Visit.objects.get()
    assert visit.findings == {} and visit.measurements["measured_position"] == "L"
    assert not visit.urgent and Alert.objects.count() == 0


def test_chw_of_another_zone_and_other_roles_cannot_record(client, users, child, chw):
    chw.post(visit_url(child, "enfant-malade"), sick_child())
    visit = Visit.objects.get()
    client.force_login(users.chw2)
    assert client.get(f"/personnes/{child.pk}/visites/nouvelle/").status_code == 404
    assert client.post(visit_url(child, "enfant-malade"), sick_child()).status_code == 404
    assert client.get(f"/visites/{visit.pk}/").status_code == 404
    client.force_login(users.clinician1)
    assert client.get(visit_url(child, "enfant-malade")).status_code == 403
    assert Visit.objects.count() == 1


def test_household_and_person_pages_offer_a_new_visit(chw, household, child):
    page = text(chw.get(f"/menages/{household.pk}/"))
    assert f"/personnes/{child.pk}/visites/nouvelle/" in page
    page = text(chw.get(f"/personnes/{child.pk}/"))
    assert f"/personnes/{child.pk}/visites/nouvelle/" in page


def test_chw_sees_the_outcome_of_the_referral_on_the_person_page(chw, client, users, child):
    chw.post(visit_url(child, "enfant-malade"), sick_child())
    from keneya.records.services import record_consultation
    from keneya.referrals.services import counter_refer

    consultation = record_consultation(
        by=users.clinician1, person=child, complaint="Toux, tirage", diagnoses=["J18.9"]
    )
    assert consultation.referral is not None
    counter_refer(
        by=users.clinician1, referral=consultation.referral, note="Pneumonie traitée, revoir dans 3 jours."
    )
    page = text(chw.get(f"/personnes/{child.pk}/"))
    assert "Contre-référée" in page and "Pneumonie traitée, revoir dans 3 jours." in page
    assert "délai de prise en charge" in page
    assert "Clôturée : Patient vu" in page  # the alert


def test_postnatal_visit_asks_the_newborn_or_the_mother(chw, users, household):
    baby = add_member(
        by=users.chw1, household=household, data=person("Traoré", "Bintou", "F", born_days_ago(5))
    )
    response = chw.post(
        visit_url(baby, "postnatale"),
        {
            "id": str(uuid.uuid4()),
            "visit_date": str(timezone.localdate()),
            "not_feeding_well": "yes",
            "temperature_c": "36.8",
        },
    )
    assert "Référer d'urgence" in text(chw.get(response["Location"]))
    mother = add_member(
        by=users.chw1,
        household=household,
        data=person("Diarra", "Awa", "F", born_days_ago(26 * 365), "spouse"),
    )
    page = text(chw.get(visit_url(mother, "postnatale")))
    assert "Lochies malodorantes" in page and "Ne s'alimente pas bien" not in page
    response = chw.post(
        visit_url(mother, "postnatale"),
        {
            "id": str(uuid.uuid4()),
            "visit_date": str(timezone.localdate()),
            "foul_smelling_lochia": "yes",
            "convulsions": "no",
        },
    )
    page = text(chw.get(response["Location"]))
    assert "Faire voir au CSCom aujourd'hui" in page and "Référer d'urgence" not in page
