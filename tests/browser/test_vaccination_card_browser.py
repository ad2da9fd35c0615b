"""The vaccination card in a real Chromium: offline on the tablet app, then on the web form.

A CHW copies two dates from a child's card during a follow-up visit, offline in /chw/, syncs,
and the server holds one ``vaccine:<CODE>`` observation per dose. The same card on the web
form fits a phone (360×640) and a tablet (1024×600). Screenshots in
test-artifacts/vaccination-*.png.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import test_pwa_offline as offline_app
from tests.browser.test_pwa_offline import ARTIFACTS, PASSWORD, TIMEOUT, open_app, pending, wait_synced

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The offline app's fixture: the live server as http://localhost, a secure context.
web = offline_app.web
PHONE = {"width": 360, "height": 640}
TABLET = {"width": 1024, "height": 600}


@pytest.fixture
def baby(users, household_factory):
    """Sali Traoré, 130 days old (the doses of birth, 6, 10 and 14 weeks are due)."""
    from keneya.people.services import add_member
    from keneya.people.tests.factories import person

    household = household_factory(users.chw1)
    born = timezone.localdate() - timedelta(days=130)
    return add_member(by=users.chw1, household=household, data=person("Traoré", "Sali", "F", born))


def shot(page, name):
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.screenshot(path=str(ARTIFACTS / f"vaccination-{name}.png"), full_page=True)


def fits(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    heights = page.eval_on_selector_all(".dose-row input", "els => els.map(e => e.offsetHeight)")
    assert heights and min(heights) >= 44  # large touch targets


def test_a_chw_copies_a_card_offline_and_the_server_stores_each_dose(page, context, web, users, baby):
    from keneya.visits.models import Observation, Visit

    bcg = baby.date_of_birth + timedelta(days=1)
    penta1 = baby.date_of_birth + timedelta(days=45)
    page.set_viewport_size(TABLET)
    open_app(page, web)
    context.set_offline(True)
    page.wait_for_selector("#net-state.off")
    page.click("#household-list >> text=Moussa Traoré")
    page.click("#member-list >> text=Sali Traoré")
    page.click("text=Suivi de l'enfant")
    page.wait_for_selector("#vaccination-card")
    card = page.inner_text("#vaccination-card")
    assert "Naissance" in card and "14 semaines" in card and "RR 1" not in card
    fits(page, TABLET)
    page.fill("#f_weight_kg", "6.1")

    # A date before birth: a French error, nothing saved.
    page.fill("#f_vaccine_PENTA1", (baby.date_of_birth - timedelta(days=3)).isoformat())
    page.click("#save-visit")
    page.wait_for_selector("[data-field=vaccine_PENTA1] .field-error >> text=avant la naissance")
    assert pending(page) == 0

    page.fill("#f_vaccine_BCG", bcg.isoformat())
    page.fill("#f_vaccine_PENTA1", penta1.isoformat())
    page.locator("#vaccination-card").scroll_into_view_if_needed()
    shot(page, "tablet-app-card-1024")
    page.click("#save-visit")
    page.wait_for_selector("#vaccination-result", timeout=TIMEOUT)
    summary = page.inner_text("#vaccination-result")
    assert "BCG (tuberculose)" in summary and "Penta 1 (DTC-HepB-Hib)" in summary
    assert "Prochains vaccins" in summary and "Penta 2" in summary
    shot(page, "tablet-app-result-1024")
    assert pending(page) == 1

    # The next visit on this tablet shows the two doses as given and does not ask them again.
    page.set_viewport_size(PHONE)
    page.click("text=Retour à la personne")
    page.click("text=Suivi de l'enfant")
    page.wait_for_selector("#vaccination-card [data-dose=BCG].given")
    assert page.locator("#f_vaccine_BCG").count() == 0
    assert page.locator("#f_vaccine_PENTA1").count() == 0
    assert page.locator("#f_vaccine_PENTA2").count() == 1
    fits(page, PHONE)
    page.locator("#vaccination-card").scroll_into_view_if_needed()
    shot(page, "tablet-app-card-given-360")
    page.click("text=Annuler")

    assert not Observation.objects.filter(code__startswith="vaccine:").exists()
    context.set_offline(False)  # the `online` event starts the sync
    wait_synced(page)
    visit = Visit.objects.get(person=baby)
    assert visit.findings["vaccines"] == {"BCG": bcg.isoformat(), "PENTA1": penta1.isoformat()}
    assert not visit.device_assessment_mismatch
    stored = sorted(
        Observation.objects.filter(person=baby, code__startswith="vaccine:").values_list("code", "value_date")
    )
    assert stored == [("vaccine:BCG", bcg), ("vaccine:PENTA1", penta1)]


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["360x640", "1024x600"])
def test_the_web_form_card_fits_phone_and_tablet(page, web, users, baby, viewport):
    from keneya.visits.models import Observation

    page.set_viewport_size(viewport)
    page.goto(f"{web}/comptes/connexion/")
    page.fill("#id_username", "relais01")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{web}/")
    page.goto(f"{web}/personnes/{baby.pk}/visites/nouvelle/suivi-enfant/")
    fits(page, viewport)
    page.fill("#id_weight_kg", "6.1")
    page.fill("#id_vaccine_BCG", (baby.date_of_birth + timedelta(days=1)).isoformat())
    page.fill("#id_vaccine_VPO0", (timezone.localdate() + timedelta(days=1)).isoformat())
    page.click(".visit-form button[type=submit]")
    page.wait_for_selector("[data-dose=VPO0] .errorlist >> text=Date après la visite")
    assert not Observation.objects.filter(code__startswith="vaccine:").exists()
    page.fill("#id_vaccine_VPO0", (baby.date_of_birth + timedelta(days=1)).isoformat())
    page.locator("#vaccination-card").scroll_into_view_if_needed()
    shot(page, f"web-form-{viewport['width']}")
    page.click(".visit-form button[type=submit]")
    page.wait_for_selector("#vaccination-result")
    assert "Vaccins notés à cette visite" in page.inner_text("#vaccination-result")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, f"web-result-{viewport['width']}")
    assert Observation.objects.filter(person=baby, code__startswith="vaccine:").count() == 2
