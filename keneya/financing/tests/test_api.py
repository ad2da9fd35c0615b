"""The API contract of issue #16 (paths and shapes kept exactly), its scope and its French errors."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from keneya.financing.tests.factories import group_with_members
from keneya.records.access import READS
from keneya.records.models import RecordAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, district):
    today = timezone.localdate()
    group, members = group_with_members(
        admin=users.admin,
        treasurer=users.treasurer,
        chw=users.chw1,
        quartier=district.q1a,
        n=3,
        opened_on=today - timedelta(days=200),
    )
    from keneya.financing import services

    for member in members:
        for _week in range(40):
            services.record_contribution(
                by=users.treasurer, group=group, member=member, on=today - timedelta(days=100)
            )
    # The second woman's child is referred urgently by the relais.
    from keneya.visits.services import record_home_visit

    child = members[1].household.members.exclude(pk=members[1].pk).get()
    visit = record_home_visit(
        by=users.chw1, person=child, visit_date=today, kind="sick_child", findings={"convulsions": True}
    )
    return {"group": group, "members": members, "referral": visit.referral, "child": child, "today": today}


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_a_health_loan_from_a_referral_repaid_once_then_again_and_refused_above_what_is_owed(users, world):
    api = client_for(users.treasurer)
    group, member, today = world["group"], world["members"][1], world["today"]
    body = {
        "id": str(uuid.uuid4()),
        "member": str(member.pk),
        "amount": 5000,
        "purpose": "transport",
        "referral": str(world["referral"].pk),
        "disbursed_on": today.isoformat(),
        "between_meetings": True,
    }
    created = api.post(f"/api/v1/financing/groups/{group.pk}/loans/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "to_ratify" and created.json()["outstanding"] == 5000
    loan_id = created.json()["id"]
    assert api.post(f"/api/v1/financing/groups/{group.pk}/loans/", body, format="json").status_code == 200

    detail = api.get(f"/api/v1/financing/loans/{loan_id}/").json()
    assert detail["referral"]["id"] == str(world["referral"].pk) and detail["referral"]["urgent"] is True

    repayment = {"id": str(uuid.uuid4()), "amount": 2000, "paid_on": today.isoformat()}
    first = api.post(f"/api/v1/financing/loans/{loan_id}/repayments/", repayment, format="json")
    assert first.status_code == 201 and first.json()["outstanding"] == 3000
    again = api.post(f"/api/v1/financing/loans/{loan_id}/repayments/", repayment, format="json")
    assert (
        again.status_code == 200
        and again.json()["id"] == first.json()["id"]
        and again.json()["outstanding"] == 3000
    )
    above = api.post(
        f"/api/v1/financing/loans/{loan_id}/repayments/",
        {"id": str(uuid.uuid4()), "amount": 3001, "paid_on": today.isoformat()},
        format="json",
    )
    assert above.status_code == 409 and "Il ne reste que 3 000 F CFA" in above.json()["detail"]

    balances = api.get(f"/api/v1/financing/groups/{group.pk}/balances/").json()
    cash = {b["box"]: b["cash"] for b in balances["boxes"]}
    assert cash == {"business": 3 * 40 * 50, "health": 3 * 40 * 50 - 5000 + 2000}
    rows = {m["member"]: m for m in balances["members"]}
    assert rows[str(member.pk)] == {**rows[str(member.pk)], "savings": 4000, "loans_outstanding": 3000}
    # Every franc is somewhere: boxes + loans = savings.
    assert sum(cash.values()) + sum(m["loans_outstanding"] for m in rows.values()) == sum(
        m["savings"] for m in rows.values()
    )


def test_a_loan_over_the_limit_or_the_box_is_refused_in_french_and_nothing_saved(users, world):
    api = client_for(users.treasurer)
    group, member, today = world["group"], world["members"][0], world["today"]
    url = f"/api/v1/financing/groups/{group.pk}/loans/"
    for amount, between, text in [
        (15001, False, "ne dépasse pas 15 000 F CFA"),
        (10001, True, "Entre deux réunions"),
    ]:
        response = api.post(
            url,
            {
                "id": str(uuid.uuid4()),
                "member": str(member.pk),
                "amount": amount,
                "purpose": "delivery",
                "disbursed_on": today.isoformat(),
                "between_meetings": between,
            },
            format="json",
        )
        assert response.status_code == 409 and text in response.json()["detail"]
    assert not group.loans.exists()
    bad = api.post(url, {"id": "x", "member": str(member.pk), "amount": "beaucoup"}, format="json")
    assert bad.status_code == 400


def test_group_detail_shows_members_and_constitution(users, world):
    data = client_for(users.treasurer).get(f"/api/v1/financing/groups/{world['group'].pk}/").json()
    assert {m["person"] for m in data["members"]} == {str(m.pk) for m in world["members"]}
    assert data["constitution"]["health_loan_max"] == 15000
    assert data["constitution"]["emergency_loan_max"] == 10000
    listed = client_for(users.treasurer).get("/api/v1/financing/groups/").json()
    assert [g["id"] for g in listed["results"]] == [str(world["group"].pk)]


def test_nothing_of_a_members_finances_is_visible_to_a_clinician_or_another_groups_treasurer(
    users, world, make_user, district
):
    group = world["group"]
    other_treasurer = make_user("tresoriere2", "treasurer")
    group_with_members(
        admin=users.admin, treasurer=other_treasurer, chw=users.chw2, quartier=district.q2a, n=1, name="Autre"
    )
    other = client_for(other_treasurer)
    assert other.get(f"/api/v1/financing/groups/{group.pk}/").status_code == 404
    assert other.get(f"/api/v1/financing/groups/{group.pk}/balances/").status_code == 404
    assert str(group.pk) not in other.get("/api/v1/financing/groups/").content.decode()
    clinician = client_for(users.clinician1)
    assert clinician.get(f"/api/v1/financing/groups/{group.pk}/balances/").status_code == 403
    assert clinician.get("/api/v1/financing/groups/").status_code == 403


def test_the_clinician_sees_only_financed_by_a_health_loan(users, world, client):
    from keneya.financing import services

    services.disburse_loan(
        by=users.treasurer,
        group=world["group"],
        loan_id=uuid.uuid4(),
        member=world["members"][1],
        amount=4321,
        purpose="transport",
        disbursed_on=world["today"],
        referral=world["referral"],
    )
    client.force_login(users.clinician1)
    page = client.get(f"/patients/{world['child'].pk}/").content.decode()
    assert "financé par un prêt santé" in page.lower()
    assert "4321" not in page and "4 321" not in page and world["group"].name not in page


def test_reads_are_logged_with_the_members(users, world):
    api = client_for(users.treasurer)
    api.get(f"/api/v1/financing/groups/{world['group'].pk}/balances/")
    logged = set(RecordAccess.objects.filter(action="financing_balances").values_list("person_id", flat=True))
    assert logged == {m.pk for m in world["members"]}


def test_every_financing_url_is_in_the_access_log_registry():
    names = set()
    for entry in get_resolver().url_patterns:
        for sub in getattr(entry, "url_patterns", []):
            name = getattr(sub, "name", None)
            namespace = getattr(entry, "namespace", None)
            if name and ("financing" in (namespace or "") or name.startswith("api_financing")):
                names.add(f"{namespace}:{name}" if namespace else name)
    writes = {
        "api_financing_loans",
        "api_financing_repayments",
        "api_financing_meetings",
        "financing:loan_decision",
    }
    assert names - writes and not (names - writes - set(READS))


def test_the_meeting_api_records_a_sheet_once_and_a_second_tablet_meets_a_conflict(users, world):
    api = client_for(users.chw1)  # the facilitator
    group, members, today = world["group"], world["members"], world["today"]
    sheet = {
        "id": str(uuid.uuid4()),
        "held_on": today.isoformat(),
        "present": [str(m.pk) for m in members],
        "contributions": [{"member": str(m.pk), "shares": 1} for m in members],
    }
    url = f"/api/v1/financing/groups/{group.pk}/meetings/"
    assert api.post(url, sheet, format="json").status_code == 201
    assert api.post(url, sheet, format="json").status_code == 200
    conflict = api.post(url, {**sheet, "id": str(uuid.uuid4())}, format="json")
    assert conflict.status_code == 409 and conflict.json()["code"] == "meeting_conflict"


def test_the_chw_sees_that_the_mother_belongs_to_a_group_without_any_amount(users, world, client):
    client.force_login(users.chw1)
    page = client.get(f"/personnes/{world['child'].pk}/").content.decode()
    assert "est membre de « Tontine Benkadi »" in page
    assert "F CFA" not in page
