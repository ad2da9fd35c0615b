"""The social worker's pages and printed papers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from keneya.core.tests.pdf_text import pdf_text
from keneya.social_protection.tests.factories import demo_grid_active, opened_dossier, screened

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(users, household_factory):
    demo_grid_active(users.admin)
    household = household_factory(users.chw1, phone="76 12 34 56")
    screened(users.chw1, household)
    return opened_dossier(users.social, household, "ramed")


def test_the_letter_to_the_mayor_names_the_head_and_reminds_the_stamp(client, users, dossier):
    client.force_login(users.social)
    response = client.get(f"/protection-sociale/dossiers/{dossier.pk}/lettre-au-maire.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "Moussa Traoré" in text
    assert "certificat d'indigence" in text
    assert "200 F CFA" in text and "adresse complète" in text


def test_the_checklist_lists_each_members_missing_documents(client, users, dossier):
    client.force_login(users.social)
    text = " ".join(
        pdf_text(client.get(f"/protection-sociale/dossiers/{dossier.pk}/pieces.pdf").content).split()
    )
    assert "Certificat de résidence" in text and "Aminata Traoré" in text
    assert dossier.reference in text


def test_the_dossier_page_refuses_a_step_with_missing_documents_in_french(client, users, dossier):
    client.force_login(users.social)
    for step in ["request_filed", "social_survey_assigned", "social_survey_done", "certificate_granted"]:
        client.post(f"/protection-sociale/dossiers/{dossier.pk}/etape/", {"to": step})
    response = client.post(
        f"/protection-sociale/dossiers/{dossier.pk}/etape/", {"to": "file_complete"}, follow=True
    )
    assert "pièces manquantes : " in response.content.decode()
    assert "certificat de résidence (Moussa Traoré)" in response.content.decode()


def test_the_list_shows_late_dossiers_first(client, users, dossier, household_factory, district):
    from keneya.social_protection.models import Dossier

    other = opened_dossier(users.social, household_factory(users.chw1), "mutuelle")
    Dossier.objects.filter(pk=dossier.pk).update(status_since=timezone.localdate() - timedelta(days=40))
    client.force_login(users.social)
    page = client.get("/protection-sociale/").content.decode()
    assert page.index(dossier.reference) < page.index(other.reference)
    assert "En retard de" in page


def test_the_programme_page_shows_counts_to_the_me_officer(client, users, dossier):
    client.force_login(users.me)
    page = client.get("/protection-sociale/programme/").content.decode()
    assert "ménages dépistés" in page and "Traoré" not in page


def test_the_list_order_and_counts_follow_each_steps_delay(users, household_factory):
    """Dossiers of several schemes and steps, some late: the most late first, then by due date,
    the steps without a delay last; the total and the late count cover every open dossier."""
    from datetime import date

    from keneya.social_protection import queries
    from keneya.social_protection.models import Dossier
    from keneya.social_rules import schemes

    demo_grid_active(users.admin)
    today = timezone.localdate()
    cases = [  # (scheme, step, days at that step)
        ("ramed", "identified", 40),  # 14-day delay: 26 days late
        ("ramed", "request_filed", 2),  # 3-day delay: due tomorrow
        ("mutuelle", "identified", 0),
        ("amo", "identified", 90),
        ("ramed", "submitted_to_anam", 16),  # 15-day delay: 1 day late
        ("ramed", "request_filed", 3),  # due today: not late
        ("ramed", "card_issued", 400),  # final: not listed
    ]
    made = []
    for scheme, step, days in cases:
        dossier = opened_dossier(users.social, household_factory(users.chw1), scheme)
        Dossier.objects.filter(pk=dossier.pk).update(status=step, status_since=today - timedelta(days=days))
        made.append(Dossier.objects.get(pk=dossier.pk))

    def key(d):
        due = schemes.due_date(d.scheme, d.status, d.status_since)
        late = (today - due).days if due and today > due else 0
        return (-late, due or date.max, d.reference)

    expected = sorted((d for d in made if d.status != "card_issued"), key=key)
    page = queries.dossier_page(users.social, limit=3)
    assert [r.dossier.reference for r in page.rows] == [d.reference for d in expected[:3]]
    assert page.total == len(expected)
    assert page.late == sum(1 for d in expected if key(d)[0] < 0)
    second = queries.dossier_page(users.social, limit=3, offset=3)
    assert [r.dossier.reference for r in second.rows] == [d.reference for d in expected[3:6]]
    assert second.total == page.total
    rows = queries.dossier_rows(users.social)
    assert [r.dossier.reference for r in rows] == [d.reference for d in expected]
    assert [r.days_late for r in rows][:2] == [-key(expected[0])[0], -key(expected[1])[0]]
    ramed = queries.dossier_page(users.social, scheme="ramed")
    assert {r.dossier.scheme for r in ramed.rows} == {"ramed"} and ramed.total == 4


def test_the_list_pages_past_its_first_rows(client, users, dossier, household_factory, monkeypatch):
    from keneya.social_protection import views

    other = opened_dossier(users.social, household_factory(users.chw1), "mutuelle")
    monkeypatch.setattr(views, "DOSSIERS_LISTED", 1)
    client.force_login(users.social)
    first = client.get("/protection-sociale/").content.decode()
    second = client.get("/protection-sociale/?page=2").content.decode()
    assert "Page 1 sur 2" in first and 'href="?page=2"' in first and "Page 2 sur 2" in second
    shown = [ref for ref in (dossier.reference, other.reference) if ref in first]
    assert len(shown) == 1 and shown[0] not in second
    assert "2 dossiers ouverts" in first and "2 dossiers ouverts" in second
    assert client.get("/protection-sociale/?page=abc").status_code == 200
