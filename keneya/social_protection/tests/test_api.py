"""The social-protection API as a CHW, a social worker and clinicians (issue #13's check)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from keneya.social_protection.models import Dossier, Screening
from keneya.social_protection.tests.factories import answers, demo_grid_active

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def cast(users, household_factory):
    demo_grid_active(users.admin)
    household = household_factory(users.chw1)
    return household


def test_the_current_scorecard_lists_indicators_with_options_and_points(users, cast):
    body = client_for(users.chw1).get("/api/v1/social/scorecards/current/").json()
    assert body["illustrative"] is True
    housing = next(i for i in body["indicators"] if i["code"] == "housing")
    assert {"code": "precarious", "points": 4} in [
        {"code": o["code"], "points": o["points"]} for o in housing["options"]
    ]
    assert [b["code"] for b in body["bands"]] == ["not_priority", "vulnerable", "likely_indigent"]


def test_a_chw_screens_a_household_and_gets_the_score_band_and_breakdown(users, cast):
    screening_id = str(uuid.uuid4())
    payload = {
        "id": screening_id,
        "household": str(cast.pk),
        "screened_on": str(timezone.localdate()),
        "answers": answers(housing="precarious", income="none", meals="less", assets="none", orphans="one"),
    }
    response = client_for(users.chw1).post("/api/v1/social/screenings/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["score"], body["band"]) == (4 + 4 + 4 + 3 + 2, "vulnerable")
    assert len(body["breakdown"]) == 10
    again = client_for(users.chw1).post("/api/v1/social/screenings/", payload, format="json")
    assert again.status_code == 200 and again.json()["id"] == screening_id
    assert Screening.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"answers": {"housing": "banco"}}, "answers.assets"),
        ({"answers": {**answers(), "housing": "palace"}}, "answers.housing"),
        ({"answers": {**answers(), "camels": "many"}}, "answers.camels"),
        ({"screened_on": str(timezone.localdate() + timedelta(days=1))}, "screened_on"),
    ],
)
def test_bad_answers_are_a_400_with_field_errors_and_nothing_saved(users, cast, change, field):
    payload = {
        "id": str(uuid.uuid4()),
        "household": str(cast.pk),
        "screened_on": str(timezone.localdate()),
        "answers": answers(),
        **change,
    }
    response = client_for(users.chw1).post("/api/v1/social/screenings/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Screening.objects.exists()


def test_a_screening_id_taken_in_another_zone_reveals_nothing(users, cast, household_factory, district):
    other = household_factory(users.chw2, quartier=district.q2a)
    taken = str(uuid.uuid4())
    first = {
        "id": taken,
        "household": str(cast.pk),
        "screened_on": str(timezone.localdate()),
        "answers": answers(),
    }
    assert client_for(users.chw1).post("/api/v1/social/screenings/", first, format="json").status_code == 201
    again = {**first, "household": str(other.pk)}
    response = client_for(users.chw2).post("/api/v1/social/screenings/", again, format="json")
    assert response.status_code == 409
    assert response.json() == {"code": "id_taken", "detail": "Cet identifiant est déjà utilisé."}


def test_the_social_worker_of_the_area_validates_a_chw_screening(users, cast, make_user, district):
    payload = {
        "id": str(uuid.uuid4()),
        "household": str(cast.pk),
        "screened_on": str(timezone.localdate()),
        "answers": answers(),
    }
    screening_id = (
        client_for(users.chw1).post("/api/v1/social/screenings/", payload, format="json").json()["id"]
    )
    url = f"/api/v1/social/screenings/{screening_id}/validate/"
    assert client_for(users.chw1).post(url).status_code == 403
    elsewhere = make_user("social2", "social_worker", areas=(district.ha2,))
    assert client_for(elsewhere).post(url).status_code == 404
    response = client_for(users.social).post(url)
    assert response.status_code == 200 and response.json()["validated_at"]


def test_a_ramed_dossier_is_refused_while_documents_are_missing_then_walked_to_the_card(
    users, cast, district
):
    social = client_for(users.social)
    members = [str(p.pk) for p in cast.members.all()]
    dossier_id = str(uuid.uuid4())
    opened = social.post(
        "/api/v1/social/dossiers/",
        {"id": dossier_id, "household": str(cast.pk), "scheme": "ramed", "members": members},
        format="json",
    )
    assert opened.status_code == 201, opened.content
    assert opened.json()["status"] == "identified"
    second = social.post(
        "/api/v1/social/dossiers/",
        {"id": str(uuid.uuid4()), "household": str(cast.pk), "scheme": "ramed", "members": members},
        format="json",
    )
    assert second.status_code == 409
    url = f"/api/v1/social/dossiers/{dossier_id}/"
    for step in ["request_filed", "social_survey_assigned", "social_survey_done", "certificate_granted"]:
        assert social.post(url + "transition/", {"to": step}, format="json").status_code == 200, step
    refused = social.post(url + "transition/", {"to": "file_complete"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("pièces manquantes : ")
    assert "certificat de résidence (Moussa Traoré)" in refused.json()["missing"]
    detail = social.get(url).json()
    assert "file_complete" in detail["allowed_transitions"]
    today = str(timezone.localdate())
    for document in detail["documents"]:
        body = {"status": "verified", "issued_on": today}
        if document["kind"] == "birth_certificate" and document["person"] == str(cast.head_id):
            body = {"status": "obtained", "issued_on": today, "substitute": "jugement_suppletif"}
        response = social.post(url + f"documents/{document['id']}/", body, format="json")
        assert response.status_code == 200, response.content
    assert social.get(url).json()["missing_documents"] == []
    for step in ["file_complete", "submitted_to_anam"]:
        assert social.post(url + "transition/", {"to": step}, format="json").status_code == 200, step
    no_card = social.post(url + "transition/", {"to": "card_issued"}, format="json")
    assert no_card.status_code == 409 and "numéro de carte" in no_card.json()["missing"]
    valid_from = timezone.localdate()
    card = {
        "to": "card_issued",
        "card_number": "RAMED-0042",
        "valid_from": str(valid_from),
        "valid_until": str(valid_from + timedelta(days=1094)),
    }
    issued = social.post(url + "transition/", card, format="json")
    assert issued.status_code == 200 and issued.json()["status"] == "card_issued"
    assert Dossier.objects.get(pk=dossier_id).card_number == "RAMED-0042"

    coverage_url = f"/api/v1/persons/{cast.head_id}/coverage/"
    coverage = client_for(users.clinician1).get(coverage_url)
    assert coverage.status_code == 200
    assert coverage.json() == [
        {
            "scheme": "ramed",
            "status": "active",
            "card_number": "RAMED-0042",
            "valid_from": str(valid_from),
            "valid_until": str(valid_from + timedelta(days=1094)),
        }
    ]
    assert client_for(users.clinician2).get(coverage_url).status_code == 404


def test_a_substitute_the_scheme_does_not_allow_is_refused(users, cast):
    social = client_for(users.social)
    dossier_id = str(uuid.uuid4())
    social.post(
        "/api/v1/social/dossiers/",
        {"id": dossier_id, "household": str(cast.pk), "scheme": "ramed", "members": [str(cast.head_id)]},
        format="json",
    )
    detail = social.get(f"/api/v1/social/dossiers/{dossier_id}/").json()
    residence = next(d for d in detail["documents"] if d["kind"] == "residence_certificate")
    response = social.post(
        f"/api/v1/social/dossiers/{dossier_id}/documents/{residence['id']}/",
        {"status": "obtained", "issued_on": str(timezone.localdate()), "substitute": "jugement_suppletif"},
        format="json",
    )
    assert response.status_code == 400 and "substitute" in response.json()


def test_a_person_without_dossier_has_no_coverage(users, cast):
    assert client_for(users.chw1).get(f"/api/v1/persons/{cast.head_id}/coverage/").json() == []


def test_reading_a_coverage_or_a_dossier_leaves_a_trace(users, cast):
    from keneya.records.models import RecordAccess

    client_for(users.clinician1).get(f"/api/v1/persons/{cast.head_id}/coverage/")
    assert RecordAccess.objects.filter(
        person_id=cast.head_id, action="coverage", user=users.clinician1
    ).exists()
    social = client_for(users.social)
    dossier_id = str(uuid.uuid4())
    social.post(
        "/api/v1/social/dossiers/",
        {"id": dossier_id, "household": str(cast.pk), "scheme": "ramed", "members": [str(cast.head_id)]},
        format="json",
    )
    social.get(f"/api/v1/social/dossiers/{dossier_id}/")
    assert RecordAccess.objects.filter(person_id=cast.head_id, action="social_dossier").count() == 1
