"""The point-of-care laboratory in a real Chromium at 360 px and 1024 px: the clinician requests
an Hb, the laboratory technician enters 6.2 g/dL, the clinician gets the urgent alert and sees
the result flagged critical with its trend chart. No horizontal scroll; no CSP violation.
Screenshots in test-artifacts/lab-*.png.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser.test_pwa_offline import ARTIFACTS
from tests.browser.test_worklist_browser import login, overflow, web  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def patient(users, district, make_user, household_factory):
    from keneya.people.tests.factories import person

    make_user("labo1", "lab_technician", facility=district.cscom1)
    household = household_factory(
        users.chw1, members=[person("Coulibaly", "Awa", "F", date(1990, 5, 1), "head")]
    )
    return household.head


@pytest.mark.parametrize("width, height", [(360, 640), (1024, 768)])
def test_a_critical_hb_reaches_the_clinician(page, web, users, patient, width, height):  # noqa: F811
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": width, "height": height})

    # The clinician requests an Hb (the patient page's "Demander un examen" leads here).
    login(page, web, "clinicien1", f"/patients/{patient.pk}/examens/demander/")
    assert overflow(page) <= 0
    page.check("input[name=tests][value=hb]")
    page.click("form.lab-order-form button[type=submit]")
    page.wait_for_url(f"{web}/patients/{patient.pk}/examens/")
    assert "Demande envoyée au laboratoire de CSCom ASACOLA I" in page.inner_text("main")
    assert "en attente" in page.inner_text(".lab-order")

    # The laboratory technician finds it in the pending list and enters 6,2 g/dL.
    page.context.clear_cookies()
    login(page, web, "labo1", "/laboratoire/")
    assert "Awa" in page.inner_text("main") and overflow(page) <= 0
    page.click("text=Saisir les résultats")
    page.wait_for_selector("#r_hb")
    assert overflow(page) <= 0
    page.fill("#r_hb", "6,2")
    page.click("form.lab-entry button[type=submit]")
    page.wait_for_selector("[data-flag=critical]")
    assert "Résultat critique : une alerte urgente est envoyée au centre demandeur." in page.inner_text(
        "main"
    )
    assert overflow(page) <= 0
    page.screenshot(path=str(ARTIFACTS / f"lab-entry-{width}.png"), full_page=True)

    # The clinician sees the urgent alert in the inbox, and the result flagged with its trend.
    page.context.clear_cookies()
    login(page, web, "clinicien1", "/alertes/")
    alert = page.locator("article.item.urgent").first
    assert "Résultat de laboratoire critique" in alert.inner_text()
    assert (
        "Hémoglobine : 6,2 g/dL" in alert.inner_text()
        and "Seuil critique : Hb < 7,0 g/dL" in alert.inner_text()
    )
    assert overflow(page) <= 0
    page.screenshot(path=str(ARTIFACTS / f"lab-alert-{width}.png"), full_page=True)
    page.goto(f"{web}/patients/{patient.pk}/examens/")
    page.wait_for_function(
        "() => { const c = document.getElementById('lab-trend-hb'); return c && c.width > 0; }"
    )
    assert "6,2 g/dL" in page.inner_text(".lab-order") and page.locator("[data-flag=critical]").count() == 1
    assert overflow(page) <= 0
    page.screenshot(path=str(ARTIFACTS / f"lab-record-{width}.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
