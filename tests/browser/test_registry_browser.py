"""A CHW registers a household in a real Chromium, at phone and tablet widths."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "Mot-de-passe-test-2026"


@pytest.fixture
def web(live_server, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    ARTIFACTS.mkdir(exist_ok=True)
    return live_server.url


def login(page, base, username):
    page.goto(f"{base}/comptes/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_chw_registers_a_household_and_sees_the_duplicate_warning(
    page, web, users, district, household_factory
):
    household_factory(users.chw1)  # Aminata Traoré, born 2021, already registered
    page.set_viewport_size({"width": 360, "height": 640})
    login(page, web, "relais01")
    page.click("text=Enregistrer un ménage")
    page.fill("#id_address_description", "Derrière la mosquée, portail bleu")
    page.fill("#id_family_name", "Sangaré")
    page.fill("#id_given_names", "Drissa")
    page.check("input[name=sex][value=M]")
    page.fill("#id_date_of_birth", "1984-02-01")
    page.screenshot(path=str(ARTIFACTS / "registry-new-household-phone.png"), full_page=True)
    page.click("text=Enregistrer le ménage")
    page.wait_for_selector("text=Ajouter un membre")
    assert "Drissa Sangaré" in page.content()

    page.click("text=Ajouter un membre")
    page.fill("#id_family_name", "Traore")
    page.fill("#id_given_names", "Aminata")
    page.check("input[name=sex][value=F]")
    page.fill("#id_date_of_birth", "2021-09-01")
    page.locator("#id_date_of_birth").dispatch_event("change")
    # htmx shows the warning as soon as the fields change, before saving
    page.wait_for_selector("text=doublon possible")
    page.click("button[name=save]")
    page.wait_for_selector("text=J'ai vérifié")
    page.screenshot(path=str(ARTIFACTS / "registry-duplicate-warning-phone.png"), full_page=True)
    page.check("#id_confirm_not_duplicate")
    page.click("button[name=save]")
    page.wait_for_selector("text=2 membres")


def test_invalid_birth_date_shows_a_french_error(page, web, users, district):
    page.set_viewport_size({"width": 1024, "height": 600})
    login(page, web, "relais01")
    page.goto(f"{web}/menages/nouveau/")
    page.fill("#id_family_name", "Diarra")
    page.fill("#id_given_names", "Awa")
    page.check("input[name=sex][value=F]")
    page.fill("#id_date_of_birth", "2099-01-01")
    page.click("text=Enregistrer le ménage")
    page.wait_for_selector("text=ne peut pas être dans le futur")
    page.screenshot(path=str(ARTIFACTS / "registry-error-tablet.png"), full_page=True)


def test_chw_of_another_zone_gets_not_found(page, web, users, household_factory):
    household = household_factory(users.chw1)
    login(page, web, "relais02")
    response = page.goto(f"{web}/menages/{household.pk}/")
    assert response is not None and response.status == 404
