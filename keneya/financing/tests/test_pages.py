"""The pages: meeting sheet, health loan from a referral, share-out, cash book and statement PDFs, SAVIX."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from keneya.core.tests.pdf_text import pdf_text
from keneya.financing import ledger, queries, services
from keneya.financing.tests.factories import group_with_members
from keneya.notifications.models import OutboxMessage

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
        opened_on=today - timedelta(days=100),
    )
    for member in members:
        for _week in range(30):
            services.record_contribution(
                by=users.treasurer, group=group, member=member, on=today - timedelta(days=50)
            )
    return group, members, today


def test_a_loan_from_a_referral_then_the_meeting_ratifies_it_and_receipts_are_queued(users, world, client):
    group, members, today = world
    from keneya.visits.services import record_home_visit

    child = members[0].household.members.exclude(pk=members[0].pk).get()
    visit = record_home_visit(
        by=users.chw1, person=child, visit_date=today, kind="sick_child", findings={"convulsions": True}
    )
    client.force_login(users.treasurer)
    form = client.get(f"/tontines/{group.pk}/pret-sante/?reference={visit.referral.pk}")
    assert form.status_code == 200 and "Soins à financer" in form.content.decode()
    response = client.post(
        f"/tontines/{group.pk}/pret-sante/",
        {
            "loan_id": str(uuid.uuid4()),
            "referral": str(visit.referral.pk),
            "amount": "3000",
            "purpose": "transport",
            "disbursed_on": today.isoformat(),
            "between_meetings": "1",
            "disbursement": "cash",
        },
    )
    assert response.status_code == 302
    loan = group.loans.get()
    assert loan.member == members[0] and loan.beneficiary == child and loan.referral == visit.referral
    assert "À ratifier" in client.get(f"/tontines/prets/{loan.pk}/").content.decode()

    sheet = client.get(f"/tontines/{group.pk}/reunion/").content.decode()
    assert f'data-ratify="{loan.pk}"' in sheet
    post = {
        "meeting_id": str(uuid.uuid4()),
        "held_on": today.isoformat(),
        f"ratify_{loan.pk}": "1",
        f"repay_{loan.pk}": "1000",
    }
    for m in members:
        post[f"present_{m.pk}"] = "1"
        post[f"shares_{m.pk}"] = "1"
    expected_health = queries.box_cash(group, "health") + 3 * 50 + 1000
    post["counted_health"] = str(expected_health)
    first = client.post(f"/tontines/{group.pk}/reunion/", post)
    assert first.status_code == 302, first.content.decode()
    assert (
        client.post(f"/tontines/{group.pk}/reunion/", post).status_code == 302
    )  # the same sheet again: nothing new
    loan.refresh_from_db()
    assert loan.ratified_in is not None and ledger.loan_outstanding(loan) == 2000
    assert OutboxMessage.objects.filter(template="financing_receipt").count() == 3
    assert group.meetings.get().cash_counts.get(box="health").counted == expected_health


def test_a_refused_loan_says_why_in_french(users, world, client):
    group, members, today = world
    client.force_login(users.treasurer)
    response = client.post(
        f"/tontines/{group.pk}/pret-sante/",
        {
            "loan_id": str(uuid.uuid4()),
            "member": str(members[0].pk),
            "amount": "50000",
            "purpose": "delivery",
            "disbursed_on": today.isoformat(),
            "disbursement": "cash",
        },
    )
    assert response.status_code == 400 and "ne dépasse pas 15 000 F CFA" in response.content.decode()


def test_cash_book_and_statement_pdfs_are_in_french_with_fr_ml_amounts(users, world, client):
    group, members, today = world
    client.force_login(users.treasurer)
    book = pdf_text(client.get(f"/tontines/{group.pk}/livre-de-caisse.pdf").content)
    assert "Livre de caisse" in book and "4 500 F CFA" in book
    statement = pdf_text(client.get(f"/tontines/{group.pk}/membres/{members[0].pk}/releve.pdf").content)
    assert "Relevé de" in statement and "3 000 F CFA" in statement


def test_share_out_page_shows_the_computation_and_posts_it_once_approved(users, world, client):
    group, members, today = world
    client.force_login(users.treasurer)
    page = client.get(f"/tontines/{group.pk}/partage/").content.decode()
    assert "3 000 F CFA" in page
    assert client.post(f"/tontines/{group.pk}/partage/", {}).status_code == 400
    assert client.post(f"/tontines/{group.pk}/partage/", {"approved": "1"}).status_code == 302
    assert queries.open_cycle(group) is None and queries.box_cash(group, "business") == 0


def test_savix_export_has_a_row_per_group_and_quarter_without_names(users, world, client):
    group, members, today = world
    client.force_login(users.me)
    text = client.get("/tontines/savix.csv").content.decode()
    header, *rows = text.strip().splitlines()
    assert header.startswith("group_id,group_name") and rows
    assert members[0].family_name not in text
    assert ",9000," in rows[-1]  # savings_value: 3 members x 30 x 100


def test_the_group_reschedules_or_writes_off_a_loan_from_its_page(users, world, client):
    group, members, today = world
    loan, _ = services.disburse_loan(
        by=users.treasurer,
        group=group,
        loan_id=uuid.uuid4(),
        member=members[0],
        amount=1000,
        purpose="medicines",
        disbursed_on=today,
    )
    client.force_login(users.treasurer)
    url = f"/tontines/prets/{loan.pk}/decision/"
    assert client.post(url, {"action": "reschedule", "reason": "", "due_on": ""}).status_code == 400
    new_due = today + timedelta(weeks=10)
    assert (
        client.post(
            url, {"action": "reschedule", "reason": "Réunion du jour", "due_on": new_due.isoformat()}
        ).status_code
        == 302
    )
    loan.refresh_from_db()
    assert loan.due_on == new_due
    assert client.post(url, {"action": "write_off", "reason": "Départ de Bamako"}).status_code == 302
    assert queries.loan_state(loan)["status"] == "written_off"
