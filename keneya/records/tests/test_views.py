"""The patient page (timeline, growth chart, access log) and the consultation form."""

import html
import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keneya.alerts.models import Alert
from keneya.alerts.services import acknowledge_alert
from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.records.models import Consultation, RecordAccess
from keneya.records.services import record_consultation
from keneya.referrals.models import Referral
from keneya.visits.services import record_home_visit

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def child(users, household_factory):
    household = household_factory(users.chw1)
    return add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Fanta", "F", timezone.localdate() - timedelta(days=380)),
    )


def urgent_visit(users, child, days_ago=0, weight=8.6):
    return record_home_visit(
        by=users.chw1,
        person=child,
        visit_date=timezone.localdate() - timedelta(days=days_ago),
        kind="sick_child",
        findings={"cough": True, "chest_indrawing": True},
        measurements={"weight_kg": weight, "length_or_height_cm": 74.0, "measured_position": "L"},
    )


@pytest.fixture
def clinician(client, users):
    client.force_login(users.clinician1)
    return client


def chart_data(page):
    match = re.search(r'<script id="growth-data" type="application/json">(.*?)</script>', page, re.S)
    assert match, "the chart data block is missing"
    return json.loads(match.group(1))


def test_patient_page_merges_the_timeline_and_logs_the_access(clinician, users, child):
    visit = urgent_visit(users, child)
    acknowledge_alert(by=users.clinician1, alert=visit.alerts.get())
    record_consultation(
        by=users.clinician1,
        person=child,
        complaint="Toux et tirage",
        diagnoses=["J18.9"],
        vitals={"temperature_c": 38.5},
    )
    page = text(clinician.get(f"/patients/{child.pk}/"))
    for expected in (
        "Visite à domicile",
        "Référer d'urgence",
        "Alerte",
        "Prise en compte",
        "Référence",
        "Vue en consultation",
        "Délai de prise en charge",
        "Consultation",
        "J18.9",
        "Température (°C) 38,5",
    ):
        assert expected in page, expected
    # newest first: the consultation comes before the visit
    assert page.index("J18.9") < page.index("Visite à domicile")
    access = RecordAccess.objects.get()
    assert access.user == users.clinician1 and access.action == "patient_page"


def test_growth_chart_has_the_who_lines_and_the_child_points(clinician, users, child):
    urgent_visit(users, child, days_ago=30, weight=8.2)
    urgent_visit(users, child, weight=8.6)
    data = chart_data(text(clinician.get(f"/patients/{child.pk}/")))
    weight = data["charts"][0]
    assert set(weight["curves"]["lines"]) == {"-3", "-2", "-1", "0", "1", "2", "3"}
    assert [p["y"] for p in weight["points"]] == [8.2, 8.6]
    ages = weight["curves"]["ages_months"]
    assert ages[0] == 0 and 12 < ages[-1] < 16  # a little past the child's 12.5 months
    i = min(range(len(ages)), key=lambda k: abs(ages[k] - 12))
    assert 8.5 < weight["curves"]["lines"]["0"][i] < 9.4  # WHO girls' median weight at 1 year
    assert "vendor/chartjs/chart.umd.min.js" in text(clinician.get(f"/patients/{child.pk}/"))


def test_an_adult_has_no_growth_chart(clinician, child):
    page = text(clinician.get(f"/patients/{child.household.head_id}/"))
    assert 'id="growth-data"' not in page


def test_patient_page_query_count_does_not_grow_with_the_record(
    clinician, users, child, django_assert_max_num_queries
):
    def one_of_each(days):
        visit = urgent_visit(users, child, days_ago=days)
        acknowledge_alert(by=users.clinician1, alert=visit.alerts.get())
        record_consultation(
            by=users.clinician1, person=child, complaint="Suivi", diagnoses=["J18.9", "B50.9"]
        )

    one_of_each(40)
    clinician.get(f"/patients/{child.pk}/")  # warm the session
    with CaptureQueriesContext(connection) as small:
        clinician.get(f"/patients/{child.pk}/")
    for days in (10, 20, 30):
        one_of_each(days)
    with CaptureQueriesContext(connection) as large:
        clinician.get(f"/patients/{child.pk}/")
    assert len(large) == len(small)
    with django_assert_max_num_queries(29):  # records 16, pharmacy and lab sections 11, financing 2
        clinician.get(f"/patients/{child.pk}/")


def test_consultation_closes_the_loop_and_shows_time_to_care(clinician, users, child):
    urgent_visit(users, child)
    response = clinician.post(
        f"/patients/{child.pk}/consultation/",
        {
            "complaint": "Toux, tirage sous-costal",
            "diagnoses": ["J18.9", "B50.9"],
            "temperature_c": "38.4",
            "respiratory_rate": "48",
            "treatment": "Amoxicilline",
            "follow_up_date": str(timezone.localdate() + timedelta(days=3)),
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/patients/{child.pk}/"
    consultation = Consultation.objects.get()
    assert sorted(consultation.diagnoses.values_list("icd10_code", flat=True)) == ["B50.9", "J18.9"]
    assert Referral.objects.get().status == "seen"
    assert Alert.objects.get().status == "closed"
    page = text(clinician.get(response["Location"]))
    assert "Consultation enregistrée. Référence vue : délai de prise en charge" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"complaint": "Fièvre", "temperature_c": "52"}, "Valeur invraisemblable"),
        ({"complaint": "Fièvre", "diagnoses": ["ZZ9"]}, "Code CIM-10 inconnu : ZZ9."),
        ({"complaint": ""}, "Indiquez au moins le motif ou un diagnostic."),
        ({"complaint": "Fièvre", "follow_up_date": "2000-01-01"}, "antérieure à la consultation"),
    ],
)
def test_bad_consultation_is_refused_in_french_and_nothing_saved(clinician, users, child, data, message):
    urgent_visit(users, child)
    response = clinician.post(f"/patients/{child.pk}/consultation/", data)
    assert response.status_code == 400 and message in text(response)
    assert Consultation.objects.count() == 0
    assert Referral.objects.get().status == "issued" and Alert.objects.get().status == "open"


def test_chosen_diagnoses_are_kept_when_the_form_comes_back(clinician, child):
    page = text(
        clinician.post(f"/patients/{child.pk}/consultation/", {"diagnoses": ["B50.9"], "temperature_c": "60"})
    )
    assert 'name="diagnoses" value="B50.9"' in page


def test_icd10_search_as_you_type(clinician):
    page = text(clinician.get("/cim10/?q=palu grave"))
    assert "B50" in page and 'data-code="B50.0"' in page
    assert "icd10-pick" not in text(clinician.get("/cim10/?q=p"))


def test_scope_other_cscom_404_and_chw_403(client, users, child):
    client.force_login(users.clinician2)
    assert client.get(f"/patients/{child.pk}/").status_code == 404
    assert client.post(f"/patients/{child.pk}/consultation/", {"complaint": "x"}).status_code == 404
    client.force_login(users.chw1)
    assert client.get(f"/patients/{child.pk}/").status_code == 403
    assert Consultation.objects.count() == 0 and RecordAccess.objects.count() == 0
