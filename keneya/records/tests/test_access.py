"""Every read of a person's data leaves one trace; the access log; break the glass (issue #10)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.records.models import BreakGlassGrant, RecordAccess
from keneya.records.services import record_consultation
from keneya.visits.services import record_home_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users: Any, household_factory: Any) -> SimpleNamespace:
    """chw1's household (a head, a child and a toddler with an urgent visit) and a consultation."""
    household = household_factory(users.chw1)
    child = add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Fanta", "F", timezone.localdate() - timedelta(days=400)),
    )
    visit = record_home_visit(
        by=users.chw1,
        person=child,
        visit_date=timezone.localdate(),
        kind="sick_child",
        findings={"convulsions": True},
    )
    consultation = record_consultation(
        by=users.clinician1, person=household.head, complaint="Céphalées", diagnoses=["R51"]
    )
    RecordAccess.objects.all().delete()  # fixtures are not reads
    return SimpleNamespace(
        household=household, head=household.head, child=child, visit=visit, consultation=consultation
    )


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


READS = [
    # (user, path, action, persons read: "head", "child", "members" or None for a list)
    ("chw1", "/personnes/{head}/", "person_page", ["head"]),
    ("chw1", "/api/v1/persons/{head}/", "person_api", ["head"]),
    ("chw1", "/menages/{household}/", "household_page", "members"),
    ("chw1", "/api/v1/households/{household}/", "household_api", "members"),
    ("chw1", "/visites/{visit}/", "visit_page", ["child"]),
    ("chw1", "/api/v1/visits/{visit}/", "visit_api", ["child"]),
    ("chw1", "/api/v1/persons/{child}/visits/", "person_visits_api", ["child"]),
    ("clinician1", "/patients/{child}/", "patient_page", ["child"]),
    ("clinician1", "/patients/{child}/consultation/", "consultation_form", ["child"]),
    ("clinician1", "/api/v1/consultations/{consultation}/", "consultation_api", ["head"]),
    ("clinician1", "/api/v1/consultations/?person={head}", "consultation_list_api", ["head"]),
    ("clinician1", "/api/v1/alerts/{alert}/", "alert_api", ["child"]),
    ("clinician1", "/references/{referral}/fiche/", "referral_slip", ["child"]),
    ("chw1", "/api/v1/persons/?search=Traore", "person_list_api", None),
    ("chw1", "/menages/?q=Traore", "household_list_page", None),
    ("clinician1", "/api/v1/visits/", "visit_list_api", None),
    ("manager1", "/patients/{head}/journal-des-acces/", "access_log_page", ["head"]),
    ("admin", "/patients/{head}/donnees/", "person_export_page", ["head"]),
    ("admin", "/api/v1/persons/{head}/export/", "person_export_api", ["head"]),
    ("clinician1", "/api/v1/persons/{head}/summary/", "summary_api", ["head"]),
    ("clinician1", "/api/v1/persons/{head}/problems/", "problems_api", ["head"]),
    ("clinician1", "/api/v1/persons/{head}/documents/", "documents_api", ["head"]),
    ("clinician1", "/patients/{head}/carnet.pdf", "carnet_pdf", ["head"]),
]


@pytest.mark.parametrize("role, template, action, read", READS, ids=[r[2] for r in READS])
def test_every_read_of_a_person_writes_one_access_row_per_person_with_its_action(
    role, template, action, read, users, world
):
    ids = {
        "head": world.head.pk,
        "child": world.child.pk,
        "household": world.household.pk,
        "visit": world.visit.pk,
        "consultation": world.consultation.pk,
        "alert": world.visit.alerts.get().pk,
        "referral": world.visit.referral.pk,
    }
    response = client_for(getattr(users, role)).get(template.format(**ids))
    assert response.status_code == 200
    rows = list(RecordAccess.objects.all())
    assert {r.action for r in rows} == {action}
    assert {r.user_id for r in rows} == {getattr(users, role).pk}
    if read is None:
        assert len(rows) == 1 and rows[0].person_id is None and rows[0].reason == ""
    elif read == "members":
        members = set(world.household.members.values_list("pk", flat=True))
        assert len(rows) == len(members) and {r.person_id for r in rows} == members
    else:
        assert [r.person_id for r in rows] == [ids[name] for name in read]
    assert not any(r.break_glass for r in rows)


def test_a_refused_or_hidden_read_writes_nothing(users, world):
    assert client_for(users.chw2).get(f"/personnes/{world.head.pk}/").status_code == 404
    assert client_for(users.treasurer).get(f"/api/v1/persons/{world.head.pk}/").status_code == 403
    assert client_for(users.chw1).put(f"/api/v1/persons/{world.head.pk}/", {}).status_code == 400
    assert not RecordAccess.objects.exists()


def test_a_reason_given_with_an_api_read_is_logged(users, world):
    client = client_for(users.clinician1)
    client.get(f"/api/v1/persons/{world.head.pk}/", HTTP_X_ACCESS_REASON="Consultation du jour")
    assert RecordAccess.objects.get().reason == "Consultation du jour"


def test_the_sync_pull_is_not_a_person_read(users, world):
    from keneya.sync.tests.factories import tablet

    _device, token = tablet(users.chw1)
    response = APIClient().get("/api/v1/sync/pull/", HTTP_AUTHORIZATION=f"Device {token}")
    assert response.status_code == 200
    assert not RecordAccess.objects.exists()


# --- The access log -------------------------------------------------------------------------------


def test_the_access_log_api_lists_who_read_newest_first(users, world):
    client_for(users.chw1).get(f"/personnes/{world.head.pk}/")
    client_for(users.clinician1).get(f"/patients/{world.head.pk}/")
    response = client_for(users.manager1).get(f"/api/v1/persons/{world.head.pk}/access-log/")
    assert response.status_code == 200
    log = response.json()
    assert [(e["user"], e["action"]) for e in log] == [
        ("clinicien1", "patient_page"),
        ("relais01", "person_page"),
    ]
    assert set(log[0]) >= {"user", "at", "action", "reason", "break_glass"}
    assert log[0]["at"] >= log[1]["at"]
    # reading the log is itself a read, logged after the answer
    assert RecordAccess.objects.filter(action="access_log_api", user=users.manager1).count() == 1


@pytest.mark.parametrize("role", ["chw1", "clinician1", "specialist", "social", "treasurer", "me"])
def test_only_the_facility_manager_and_the_administrator_read_the_access_log(role, users, world):
    client = client_for(getattr(users, role))
    assert client.get(f"/api/v1/persons/{world.head.pk}/access-log/").status_code == 403
    assert client.get(f"/patients/{world.head.pk}/journal-des-acces/").status_code == 403


def test_a_facility_manager_reads_the_log_of_persons_in_their_scope_only(users, household_factory, make_user):
    other = household_factory(users.chw2, quartier=users.chw2.areas.get())
    client = client_for(users.manager1)
    assert client.get(f"/api/v1/persons/{other.head.pk}/access-log/").status_code == 404
    assert client.get(f"/patients/{other.head.pk}/journal-des-acces/").status_code == 404
    assert client_for(users.admin).get(f"/api/v1/persons/{other.head.pk}/access-log/").status_code == 200


def test_the_access_log_page_is_french_and_linked_from_the_patient_page(users, world):
    client_for(users.chw1).get(f"/personnes/{world.head.pk}/")
    patient = client_for(users.manager1).get(f"/patients/{world.head.pk}/").content.decode()
    assert f"/patients/{world.head.pk}/journal-des-acces/" in patient
    page = client_for(users.manager1).get(f"/patients/{world.head.pk}/journal-des-acces/").content.decode()
    assert "Qui a consulté ce dossier" in page and "person_page" in page and "Relais01" in page


# --- Break the glass ------------------------------------------------------------------------------


def test_without_a_reason_the_record_outside_scope_stays_404(users, world):
    client = client_for(users.clinician2)  # CSCom 2: the child lives in CSCom 1's area
    page = client.get(f"/patients/{world.child.pk}/")
    assert page.status_code == 404 and "bris de glace" in page.content.decode()
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        assert (
            client.post(f"/api/v1/persons/{world.child.pk}/break-glass/", body, format="json").status_code
            == 404
        )
    assert client.post(f"/patients/{world.child.pk}/acces-urgence/", {"reason": ""}).status_code == 404
    assert client.get(f"/api/v1/persons/{world.child.pk}/").status_code == 404
    assert not BreakGlassGrant.objects.exists() and not RecordAccess.objects.exists()


def test_an_unknown_id_answers_as_a_hidden_one(users):
    import uuid

    client = client_for(users.clinician2)
    body = {"reason": "Urgence au CSRef"}
    response = client.post(f"/api/v1/persons/{uuid.uuid4()}/break-glass/", body, format="json")
    assert response.status_code == 404


def test_with_a_reason_the_record_opens_for_24_hours_and_every_read_is_logged_as_break_glass(users, world):
    client = client_for(users.clinician2)
    response = client.post(
        f"/api/v1/persons/{world.child.pk}/break-glass/",
        {"reason": "Urgence, venue de Hamdallaye"},
        format="json",
    )
    assert response.status_code == 201
    grant = BreakGlassGrant.objects.get()
    assert grant.user == users.clinician2 and grant.person == world.child
    assert timedelta(hours=23, minutes=59) < grant.expires_at - grant.granted_at <= timedelta(hours=24)
    assert client.get(f"/api/v1/persons/{world.child.pk}/").status_code == 200
    assert client.get(f"/patients/{world.child.pk}/").status_code == 200
    rows = RecordAccess.objects.order_by("id")
    assert [r.action for r in rows] == ["break_glass", "person_api", "patient_page"]
    assert all(r.grant_id == grant.pk for r in rows)
    log = client_for(users.admin).get(f"/api/v1/persons/{world.child.pk}/access-log/").json()
    assert log[0]["break_glass"] is True and log[0]["reason"] == "Urgence, venue de Hamdallaye"
    # the grant is for that person only
    assert client.get(f"/api/v1/persons/{world.head.pk}/").status_code == 404


def test_the_break_glass_form_opens_the_patient_page(users, world):
    client = client_for(users.specialist)
    response = client.post(f"/patients/{world.head.pk}/acces-urgence/", {"reason": "Urgence au CSRef"})
    assert response.status_code == 302 and response["Location"] == f"/patients/{world.head.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_the_facility_manager_sees_the_break_glass_accesses_on_their_area(users, world):
    client_for(users.clinician2).post(
        f"/api/v1/persons/{world.child.pk}/break-glass/", {"reason": "Urgence nocturne"}, format="json"
    )
    page = client_for(users.manager1).get("/supervision/acces-urgence/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Urgence nocturne" in text and "Clinicien2" in text and "en cours" in text


def test_break_glass_is_for_clinicians(users, world):
    for role in ("chw2", "social", "manager1"):
        client = client_for(getattr(users, role))
        body = {"reason": "Curiosité"}
        assert (
            client.post(f"/api/v1/persons/{world.child.pk}/break-glass/", body, format="json").status_code
            == 403
        )


def test_an_expired_grant_closes_the_record_again(users, world):
    with time_machine.travel(timezone.now() - timedelta(hours=25)):
        response = client_for(users.clinician2).post(
            f"/api/v1/persons/{world.child.pk}/break-glass/", {"reason": "Urgence d'hier"}, format="json"
        )
        assert response.status_code == 201
    client = client_for(users.clinician2)
    assert client.get(f"/api/v1/persons/{world.child.pk}/").status_code == 404
    assert client.get(f"/patients/{world.child.pk}/").status_code == 404


def test_a_grant_opening_and_expiring_between_two_requests_is_honoured_by_the_compiled_lookup(users, world):
    """The person lookup is compiled once per scope key; the grant is read by its SQL each time."""
    client = client_for(users.clinician2)
    url = f"/api/v1/persons/{world.child.pk}/"
    assert client.get(url).status_code == 404  # compiled for this scope key
    client.post(f"/api/v1/persons/{world.child.pk}/break-glass/", {"reason": "Urgence"}, format="json")
    assert client.get(url).status_code == 200
    BreakGlassGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(url).status_code == 404
    with time_machine.travel(timezone.now() - timedelta(hours=23)):
        client.post(f"/api/v1/persons/{world.child.pk}/break-glass/", {"reason": "Encore"}, format="json")
    assert client.get(url).status_code == 200  # granted 23 h ago: one hour left


def test_break_glass_hours_come_from_the_settings(users, world, settings):
    settings.KENEYA_BREAK_GLASS_HOURS = 2
    client_for(users.clinician2).post(
        f"/api/v1/persons/{world.child.pk}/break-glass/", {"reason": "Urgence courte"}, format="json"
    )
    grant = BreakGlassGrant.objects.get()
    assert grant.expires_at - grant.granted_at == timedelta(hours=2)


def test_a_grant_opens_the_persons_visits_and_consultations_and_nothing_else(users, world):
    from keneya.people.scope import persons_visible_to
    from keneya.records.queries import consultations_visible_to
    from keneya.visits.queries import visits_visible_to

    client = client_for(users.clinician2)
    assert client.get(f"/api/v1/visits/{world.visit.pk}/").status_code == 404
    client.post(f"/api/v1/persons/{world.child.pk}/break-glass/", {"reason": "Urgence"}, format="json")
    assert client.get(f"/api/v1/visits/{world.visit.pk}/").status_code == 200
    assert client.get(f"/api/v1/persons/{world.child.pk}/visits/").status_code == 200
    assert list(persons_visible_to(users.clinician2).filter(household=world.household)) == [world.child]
    assert list(visits_visible_to(users.clinician2)) == [world.visit]
    assert not consultations_visible_to(users.clinician2).exists()  # the head's, not the child's
    assert client.get(f"/menages/{world.household.pk}/").status_code == 404
