"""The "Dépistage social" screen of the offline app at 360 px: a CHW screens a household offline
(score, band and breakdown at once), reloads, syncs; the server has the same score; the coverage
lines from the last sync show on the household."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from tests.browser.test_pwa_offline import TIMEOUT, open_app, shot, wait_synced, web  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ramed_card_for_head(social, household):
    """A RAMED dossier for the head of household walked to the card, through the services."""
    from django.utils import timezone

    from keneya.social_protection import services

    today = timezone.localdate()
    dossier, _ = services.open_dossier(
        by=social, id=uuid.uuid4(), household=household, scheme="ramed", members=[household.head]
    )
    for step in ["request_filed", "social_survey_assigned", "social_survey_done", "certificate_granted"]:
        dossier = services.transition_dossier(by=social, dossier=dossier, to=step)
    for document in dossier.documents.all():
        services.update_document(by=social, document=document, status="verified", issued_on=today)
    for step in ["file_complete", "submitted_to_anam"]:
        dossier = services.transition_dossier(by=social, dossier=dossier, to=step)
    valid_until = today + timedelta(days=1094)
    services.transition_dossier(
        by=social,
        dossier=dossier,
        to="card_issued",
        data={"card_number": "RAMED-0042", "valid_from": today, "valid_until": valid_until},
    )
    return valid_until


LOCAL_SCREENINGS = "async () => (await new Dexie('keneya-chw').open()).table('screenings').count()"


def answer(page, code, option):
    page.click(f"label.choice:has(input[name=q_{code}][value='{option}']) span")
    assert page.is_checked(f"input[name=q_{code}][value='{option}']")


def no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_chw_screens_a_household_offline_on_a_phone_and_syncs(page, context, web, users, household_factory):  # noqa: F811
    from keneya.social_protection.models import Screening
    from keneya.social_protection.tests.factories import answers, demo_grid_active
    from keneya.social_rules import scorecard

    demo_grid_active(users.admin)
    household = household_factory(users.chw1)  # Moussa (head) and Aminata Traoré
    valid_until = ramed_card_for_head(users.social, household)
    chosen = answers(housing="precarious", income="none", meals="less", assets="none", orphans="one")
    expected = scorecard.score_answers(scorecard.load_demo_grid(), chosen, None)

    page.set_viewport_size({"width": 360, "height": 740})
    open_app(page, web)
    context.set_offline(True)
    page.wait_for_selector("#net-state.off")
    page.click("#household-list >> text=Moussa Traoré")
    members = page.inner_text("#member-list")
    assert f"RAMED valide jusqu'au {valid_until:%d/%m/%Y}" in members
    assert "Aucune couverture : dépistage conseillé" in members
    assert "Pas encore dépisté" in page.inner_text("#latest-screening")

    page.click("text=Dépistage social")
    page.wait_for_selector("#screening-form")
    assert "grille de démonstration" in page.inner_text("#view")
    answer(page, "housing", chosen["housing"])
    page.click("#save-screening")  # one question answered: a French error, nothing saved
    page.wait_for_selector("#screening-missing")
    assert "Répondez à chaque question" in page.inner_text("#screening-missing")
    assert "Revenu du ménage" in page.inner_text("#screening-missing")
    assert page.evaluate(LOCAL_SCREENINGS) == 0

    for code, option in chosen.items():
        answer(page, code, option)
    page.wait_for_selector("#screening-result")
    assert page.inner_text("#screening-score") == str(expected.score)
    assert page.inner_text("#screening-band") == expected.band_label_fr
    assert page.locator("#screening-breakdown tr").count() == len(chosen)
    assert no_overflow(page)
    shot(page, "screening-form-360", full_page=False)

    page.click("#save-screening")
    page.wait_for_url(re.compile(r".*#/depistage/[0-9a-f-]{36}$"))
    screening_id = page.url.rsplit("/", 1)[1]
    page.wait_for_selector("#screening-result")
    assert no_overflow(page)

    page.reload()  # still offline: the shell from the service worker, the screening from IndexedDB
    page.wait_for_selector("#screening-score", timeout=TIMEOUT)
    assert page.inner_text("#screening-score") == str(expected.score)
    assert "À envoyer" in page.inner_text("#view")
    shot(page, "screening-result-offline-360")
    assert not Screening.objects.exists()

    context.set_offline(False)  # the `online` event starts the sync
    wait_synced(page)
    stored = Screening.objects.get(pk=screening_id)
    assert (stored.score, stored.band) == (expected.score, expected.band)
    assert stored.household_id == household.pk and stored.screened_by == users.chw1
    assert stored.answers == chosen

    page.click("text=Retour au ménage")
    page.wait_for_selector("#latest-screening")
    assert f"score {expected.score}" in page.inner_text("#latest-screening")
    assert no_overflow(page)
    page.click("#member-list >> text=Moussa Traoré")
    page.wait_for_selector("#person-coverage")
    assert "RAMED valide jusqu'au" in page.inner_text("#person-coverage")
    assert no_overflow(page)
    shot(page, "person-coverage-360", full_page=False)
