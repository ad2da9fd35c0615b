"""The whole social-protection story in a real Chromium, at 360 px and at 1024 px (issue #13):

1. a CHW screens a household offline on the tablet app (/chw/) and syncs;
2. the social worker validates that screening on the web, opens a RAMED dossier for the head and
   his daughter, prints the letter to the mayor (the PDF opens and names the head), is refused
   the "complete file" step while documents are missing, marks the documents (the daughter's
   birth certificate replaced by a jugement supplétif) and walks the steps to the card;
3. the clinician of that CSCom sees "RAMED valide jusqu'au ..." on the patient page.

No page scrolls sideways. Screenshots in test-artifacts/social-story-*.png.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from keneya.core.tests.pdf_text import pdf_text
from tests.browser.test_pwa_offline import ARTIFACTS, open_app, wait_synced, web  # noqa: F401 (fixture)
from tests.browser.test_pwa_social import answer
from tests.browser.test_worklist_browser import login, overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHOSEN = {
    "housing": "precarious",
    "income": "none",
    "meals": "less",
    "assets": "none",
    "orphans": "one",
}


def shot(page, name: str, width: int) -> None:
    page.screenshot(path=str(ARTIFACTS / f"social-story-{name}-{width}.png"), full_page=True)


def fits(page) -> None:
    """No horizontal scrolling: the page is no wider than the window."""
    assert overflow(page) <= 0, f"{page.url} is {overflow(page)} px too wide"


def document_card(page, person: str, label: str):
    return (
        page.locator("article.item")
        .filter(has=page.locator(".item-title", has_text=label))
        .filter(has_text=person)
    )


def mark_document(page, person: str, label: str, *, issued_on, substitute: str = "") -> None:
    card = document_card(page, person, label)
    card.locator("select[name$='-status']").select_option("verified")
    card.locator("input[name$='-issued_on']").fill(issued_on.isoformat())
    if substitute:
        card.locator("select[name$='-substitute']").select_option(substitute)
    card.locator("button", has_text="Enregistrer").click()
    page.wait_for_selector(".messages >> text=Pièce mise à jour.")
    card = document_card(page, person, label)
    assert f"délivrée le {issued_on:%d/%m/%Y}" in card.inner_text()
    # the form shows the stored date back (saving it again must not erase it)
    assert card.locator("input[name$='-issued_on']").input_value() == issued_on.isoformat()


def step(page, label: str, **fields: str) -> None:
    form = page.locator("form.inline-form").filter(has=page.locator("button", has_text=label))
    for name, value in fields.items():
        form.locator(f"input[name={name}]").fill(value)
    form.locator("button", has_text=label).click()
    page.wait_for_selector(".messages li")


@pytest.mark.parametrize("width, height", [(360, 740), (1024, 768)])
def test_screened_offline_validated_walked_to_the_card_and_seen_by_the_clinician(
    page,
    context,
    web,  # noqa: F811
    users,
    household_factory,
    width,
    height,
):
    from keneya.social_protection.models import Dossier, Screening
    from keneya.social_protection.tests.factories import answers, demo_grid_active
    from keneya.social_rules import scorecard

    demo_grid_active(users.admin)
    household = household_factory(users.chw1)  # Moussa Traoré (head) and his daughter Aminata
    chosen = answers(**CHOSEN)
    expected = scorecard.score_answers(scorecard.load_demo_grid(), chosen, None)
    today = timezone.localdate()
    page.set_viewport_size({"width": width, "height": height})

    # 1. The CHW screens the household offline on the tablet, then syncs.
    open_app(page, web)
    context.set_offline(True)
    page.wait_for_selector("#net-state.off")
    page.click("#household-list >> text=Moussa Traoré")
    page.click("text=Dépistage social")
    page.wait_for_selector("#screening-form")
    for code, option in chosen.items():
        answer(page, code, option)
    page.wait_for_selector("#screening-result")
    assert page.inner_text("#screening-score") == str(expected.score)
    fits(page)
    page.click("#save-screening")
    page.wait_for_url(re.compile(r".*#/depistage/[0-9a-f-]{36}$"))
    screening_id = page.url.rsplit("/", 1)[1]
    assert not Screening.objects.exists()
    context.set_offline(False)  # the `online` event starts the sync
    wait_synced(page)
    screening = Screening.objects.get(pk=screening_id)
    assert screening.score == expected.score and screening.validated_at is None

    # 2. The social worker validates the screening and opens a RAMED dossier.
    page.context.clear_cookies()
    login(page, web, "social", "/protection-sociale/")
    to_validate = page.locator(f"#a-valider ~ .items article[data-screening='{screening_id}']")
    assert "Moussa Traoré" in to_validate.inner_text()
    assert str(expected.score) in to_validate.inner_text()
    fits(page)
    shot(page, "to-validate", width)
    to_validate.locator("button", has_text="Valider le dépistage").click()
    page.wait_for_selector(".messages >> text=Dépistage validé")
    screening.refresh_from_db()
    assert screening.validated_by == users.social
    to_open = page.locator(f"#a-ouvrir ~ .items article[data-screening='{screening_id}']")
    to_open.locator("a", has_text="Ouvrir un dossier").click()
    page.wait_for_selector("select[name=scheme]")
    assert "Moussa Traoré" in page.inner_text("main")
    fits(page)
    page.select_option("select[name=scheme]", "ramed")
    for name in ("Moussa Traoré", "Aminata Traoré"):
        page.locator("label", has_text=name).locator("input").check()
    page.click("button:has-text('Ouvrir le dossier')")
    page.wait_for_url(re.compile(r".*/protection-sociale/dossiers/[0-9a-f-]{36}/$"))
    dossier = Dossier.objects.get(household=household, scheme="ramed")
    assert dossier.screening_id == screening.pk
    assert "Ménage identifié" in page.inner_text("main")
    fits(page)

    # The letter to the mayor: a PDF naming the head of household.
    href = page.get_attribute("a:has-text('Lettre au maire (PDF)')", "href")
    letter = page.request.get(f"{web}{href}")
    assert letter.ok and letter.headers["content-type"] == "application/pdf"
    text = " ".join(pdf_text(letter.body()).split())
    assert "Moussa Traoré" in text and "certificat d'indigence" in text and "200 F CFA" in text

    for label in (
        "Demande déposée à la mairie",
        "Enquête sociale confiée au SLDS-ES",
        "Enquête sociale faite (rapport)",
        "Certificat d'indigence accordé",
    ):
        step(page, label)
        assert "Étape enregistrée." in page.inner_text(".messages")
    step(page, "Dossier d'immatriculation complet")  # documents missing: refused, in French
    refusal = page.inner_text(".messages")
    assert "pièces manquantes" in refusal.lower() and "Aminata Traoré" in refusal
    fits(page)

    # The documents: verified, the daughter's birth certificate by a jugement supplétif.
    mark_document(
        page,
        "Aminata Traoré",
        "Extrait d'acte de naissance",
        issued_on=today - timedelta(days=20),
        substitute="jugement_suppletif",
    )
    card = document_card(page, "Aminata Traoré", "Extrait d'acte de naissance")
    assert "remplacée par Jugement supplétif" in card.inner_text()
    for person, label in (
        ("Aminata Traoré", "Certificat de vie collectif"),
        ("Moussa Traoré", "Certificat d'indigence"),
        ("Moussa Traoré", "Rapport d'enquête sociale"),
        ("Moussa Traoré", "Extrait d'acte de naissance"),
        ("Moussa Traoré", "Certificat de résidence"),
    ):
        mark_document(page, person, label, issued_on=today - timedelta(days=10))
    assert not dossier.documents.exclude(status="verified").exists()
    assert dossier.documents.get(person__given_names="Aminata", kind="birth_certificate").substitute == (
        "jugement_suppletif"
    )
    fits(page)

    step(page, "Dossier d'immatriculation complet")
    step(page, "Dossier déposé à l'ANAM")
    valid_until = today + timedelta(days=1094)
    shot(page, "card-step", width)
    step(
        page,
        "Carte RAMED délivrée",
        card_number="RAMED-2026-0042",
        valid_from=today.isoformat(),
        valid_until=valid_until.isoformat(),
    )
    assert "Étape enregistrée." in page.inner_text(".messages")
    dossier.refresh_from_db()
    assert (dossier.status, dossier.card_number, dossier.valid_until) == (
        "card_issued",
        "RAMED-2026-0042",
        valid_until,
    )
    body = page.inner_text("main")
    assert "RAMED-2026-0042" in body and f"{valid_until:%d/%m/%Y}" in body
    assert f"RAMED valide jusqu'au {valid_until:%d/%m/%Y}" in page.inner_text("[data-coverage]")
    assert "Carte RAMED délivrée" in page.inner_text(".timeline")
    fits(page)
    shot(page, "card-issued", width)

    # 3. The clinician of that CSCom sees the coverage on the patient page.
    page.context.clear_cookies()
    login(page, web, "clinicien1", f"/patients/{household.head.pk}/")
    assert f"RAMED valide jusqu'au {valid_until:%d/%m/%Y}" in page.inner_text("[data-coverage]")
    fits(page)
    shot(page, "patient", width)


@pytest.mark.parametrize("width, height", [(360, 740), (1024, 768)])
def test_a_chw_marks_an_appointment_done_on_the_tablet_offline_and_it_syncs(
    page,
    context,
    web,  # noqa: F811
    users,
    household_factory,
    width,
    height,
):
    from keneya.social_protection import services
    from keneya.social_protection.tests.factories import demo_grid_active, opened_dossier, screened

    demo_grid_active(users.admin)
    household = household_factory(users.chw1)
    screened(users.chw1, household)
    dossier = opened_dossier(users.social, household, "ramed")
    today = timezone.localdate()
    appointment = services.schedule_appointment(
        by=users.social, dossier=dossier, kind="social_survey", on=today + timedelta(days=1), place="Mairie"
    )
    page.set_viewport_size({"width": width, "height": height})
    open_app(page, web)
    page.click("#tabs >> text=Tâches")
    done = page.locator(f"#task-list button.task-done[data-appointment='{appointment.pk}']")
    done.wait_for()
    card = page.locator("#task-list li[data-kind=social_appointment]")
    assert "Accompagner la famille" in card.inner_text() and "Mairie" in card.inner_text()
    fits(page)

    context.set_offline(True)
    page.wait_for_selector("#net-state.off")
    done.click()
    page.wait_for_selector("#task-list li[data-kind=social_appointment] >> text=Fait (à envoyer)")
    assert page.locator("#task-list button.task-done").count() == 0
    assert page.get_attribute("#pending-count", "data-count") == "1"
    fits(page)
    page.screenshot(path=str(ARTIFACTS / f"social-story-tablet-fait-{width}.png"), full_page=False)
    page.reload()  # still offline: the mark waits in the outbox
    page.wait_for_selector("#task-list li[data-kind=social_appointment] >> text=Fait (à envoyer)")
    appointment.refresh_from_db()
    assert appointment.done_on is None

    context.set_offline(False)  # the `online` event starts the sync
    wait_synced(page)
    appointment.refresh_from_db()
    assert appointment.done_on == today
    assert dossier.events.filter(kind="appointment_done", by=users.chw1).count() == 1
    page.click("#tabs >> text=Ménages")
    page.click("#tabs >> text=Tâches")
    page.wait_for_selector("#task-list")
    assert page.locator("#task-list li[data-kind=social_appointment]").count() == 0
