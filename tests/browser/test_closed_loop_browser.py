"""The closed loop in a real Chromium: CHW visit → clinician inbox → consultation → outcome.

One flow, screenshots in test-artifacts/closed-loop-*.png (phone 360×640 for the CHW, tablet
1024×600 for the clinicians).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from keneya.alerts.models import Alert, AlertEvent
from keneya.referrals.models import Referral, ReferralEvent
from keneya.visits.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "Mot-de-passe-test-2026"
PHONE = {"width": 360, "height": 640}
TABLET = {"width": 1024, "height": 600}


@pytest.fixture
def web(live_server, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    ARTIFACTS.mkdir(exist_ok=True)
    return live_server.url


def shot(page, name):
    # Blur the focused field first: after the full-page shot resizes the viewport, Chromium
    # scrolls a focused input back into view at the next mousedown, and the click misses.
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.screenshot(path=str(ARTIFACTS / f"closed-loop-{name}.png"), full_page=True)


def login(page, base, username):
    page.goto(f"{base}/comptes/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def logout(page):
    page.click("text=Se déconnecter")
    page.wait_for_selector("#id_username")


@pytest.fixture
def family(users, household_factory):
    """Awa (1 year old, the sick child) and Oumar (3 years), in chw1's household."""
    from keneya.people.services import add_member
    from keneya.people.tests.factories import person
    from keneya.visits.services import record_home_visit

    household = household_factory(
        users.chw1, phone="76 11 22 33", address_description="Derrière la mosquée, portail bleu"
    )
    today = timezone.localdate()
    awa = add_member(
        by=users.chw1, household=household, data=person("Traoré", "Awa", "F", today - timedelta(days=365))
    )
    oumar = add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Oumar", "M", today - timedelta(days=3 * 365)),
    )
    # An older, routine alert (moderate malnutrition): the urgent one must come above it.
    visit = record_home_visit(
        by=users.chw1,
        person=oumar,
        visit_date=today - timedelta(days=2),
        kind="child_followup",
        measurements={"weight_kg": 12.0, "muac_mm": 120},
    )
    visit.alerts.update(raised_at=timezone.now() - timedelta(days=2))
    return household, awa


def test_closed_loop_from_the_chw_visit_to_the_outcome(page, web, users, family):
    household, awa = family

    # 1. The CHW records a sick-child visit with chest indrawing: "Référer d'urgence".
    page.set_viewport_size(PHONE)
    login(page, web, "relais01")
    page.goto(f"{web}/menages/{household.pk}/")
    page.click(f"a[aria-label='Nouvelle visite pour {awa.full_name}']")
    page.click("text=Enfant malade")
    page.click("label[for=id_cough_0]")  # Toux : Oui
    page.fill("#id_cough_days", "3")
    page.click("label[for=id_chest_indrawing_0]")  # Tirage sous-costal : Oui
    page.click("label[for=id_convulsions_1]")  # Convulsions : Non
    page.fill("#id_respiratory_rate", "46")
    page.fill("#id_temperature_c", "38.2")
    page.fill("#id_weight_kg", "8.3")
    page.fill("#id_length_or_height_cm", "73.5")
    page.fill("#id_muac_mm", "128")
    shot(page, "1-chw-visit-form-phone")
    page.click("text=Enregistrer et voir le résultat")
    page.wait_for_selector(".verdict.urgent")
    assert "Référer d'urgence" in page.inner_text(".verdict.urgent")
    assert "Tirage sous-costal : référer d'urgence." in page.inner_text("main")
    shot(page, "2-chw-result-urgent-phone")
    page.click("text=Fiche de référence")
    page.wait_for_selector("text=Fiche de référence")
    assert "CSCom ASACOLA I" in page.inner_text("main")
    shot(page, "3-referral-slip-phone")
    logout(page)
    # The family reaches the CSCom three hours later.
    three_hours_ago = timezone.now() - timedelta(hours=3)
    Visit.objects.filter(person=awa).update(recorded_at=three_hours_ago)
    Referral.objects.filter(person=awa).update(issued_at=three_hours_ago)
    Alert.objects.filter(person=awa).update(raised_at=three_hours_ago)
    AlertEvent.objects.filter(alert__person=awa).update(at=three_hours_ago)
    ReferralEvent.objects.filter(referral__person=awa).update(at=three_hours_ago)

    # 2. The clinician of that CSCom: the urgent alert is at the top of the inbox.
    page.set_viewport_size(TABLET)
    login(page, web, "clinicien1")
    page.click("text=Alertes à traiter")
    page.wait_for_load_state()
    first = page.locator(".item").first
    assert "Awa Traoré" in first.inner_text() and "Urgent" in first.inner_text()
    assert "Oumar Traoré" in page.locator(".item").nth(1).inner_text()
    assert "Tirage sous-costal : référer d'urgence." in first.inner_text()
    shot(page, "4-clinician-inbox-tablet")
    page.set_viewport_size(PHONE)
    shot(page, "4-clinician-inbox-phone")
    page.set_viewport_size(TABLET)
    first.locator("text=Prendre en compte").click()  # htmx: the row is replaced
    page.wait_for_selector("text=Prise en compte par")
    shot(page, "5-clinician-inbox-acknowledged-tablet")
    page.locator(".item").first.locator("text=Ouvrir le dossier").click()
    page.wait_for_selector("#chart-wfa")
    # a function, not an expression: the CSP forbids the eval Playwright uses for expressions
    page.wait_for_function("() => document.querySelector('#chart-wfa').width > 0")
    shot(page, "6-patient-page-tablet")
    page.set_viewport_size(PHONE)
    page.wait_for_function("() => document.querySelector('#chart-wfa').width < 360")
    shot(page, "6-patient-page-phone")
    page.set_viewport_size(TABLET)

    page.click("text=Nouvelle consultation")
    page.wait_for_load_state()  # htmx (deferred) must be ready before the search is typed
    page.fill("#id_complaint", "Toux depuis 3 jours, tirage sous-costal")
    page.fill("#id_temperature_c", "38.4")
    page.fill("#id_respiratory_rate", "48")
    page.fill("#icd10-q", "pneumonie")
    page.wait_for_selector("button[data-code='J18.9']")
    shot(page, "7-consultation-icd10-search-tablet")
    page.click("button[data-code='J18.9']")
    page.wait_for_selector("#icd10-selected >> text=J18.9")
    page.fill("#id_treatment", "Amoxicilline 5 jours")
    shot(page, "8-consultation-form-tablet")
    page.click("text=Enregistrer la consultation")
    page.wait_for_selector("text=Consultation enregistrée")
    assert "délai de prise en charge" in page.inner_text(".messages")
    assert "Délai de prise en charge" in page.inner_text(".timeline")
    shot(page, "9-patient-after-consultation-tablet")

    # 3. The referral is seen, the clinician sends the counter-referral and closes it.
    page.goto(f"{web}/references/")  # goto waits for the load event: htmx is ready
    row = page.locator(".item").first
    assert "Vu·e" in row.inner_text() and "Délai de prise en charge : 3,0 h" in row.inner_text()
    row.locator("textarea[name=note]").fill("Pneumonie : amoxicilline 5 jours. Revoir à J3.")
    row.locator("text=Envoyer la contre-référence").click()
    page.wait_for_selector(".item >> text=Contre-référée")
    page.locator(".item").first.locator("text=Clôturer").click()
    page.wait_for_selector(".item >> text=Clôturée")
    assert "Délai de prise en charge" in page.locator(".item").first.inner_text()
    shot(page, "10-referrals-closed-tablet")
    page.set_viewport_size(PHONE)
    shot(page, "10-referrals-closed-phone")
    logout(page)

    # 4. The CHW sees the outcome on the child's page.
    page.set_viewport_size(PHONE)
    login(page, web, "relais01")
    page.goto(f"{web}/personnes/{awa.pk}/")
    outcome = page.inner_text("main")
    assert "Clôturée" in outcome and "Revoir à J3." in outcome
    assert "délai de prise en charge" in outcome and "Patient vu" in outcome
    shot(page, "11-chw-sees-outcome-phone")
    logout(page)

    # 5. A clinician of another CSCom does not see the alert.
    page.set_viewport_size(TABLET)
    login(page, web, "clinicien2")
    page.click("text=Alertes à traiter")
    assert "Awa" not in page.inner_text("main")
    assert "Aucune alerte ouverte." in page.inner_text("main")
    shot(page, "12-other-cscom-inbox-tablet")
    response = page.goto(f"{web}/patients/{awa.pk}/")
    assert response is not None and response.status == 404
