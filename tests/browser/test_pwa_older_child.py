"""The child 5-17 visit in the offline app at 360 px: assessed offline, synced, same verdict."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.test_pwa_offline import TIMEOUT, open_app, shot, wait_synced, web  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_child_of_9_is_followed_offline_on_a_phone(page, context, web, users, district, household_factory):  # noqa: F811
    from keneya.alerts.models import Alert
    from keneya.people.tests.factories import person
    from keneya.visits.models import Visit

    today = date.today()
    household_factory(
        users.chw1,
        members=[
            person("Coulibaly", "Bakary", "M", today - timedelta(days=40 * 365), "head"),
            person("Coulibaly", "Fatoumata", "F", today - timedelta(days=9 * 365 + 40), "child"),
        ],
    )
    page.set_viewport_size({"width": 360, "height": 740})
    open_app(page, web)
    context.set_offline(True)
    page.click("#household-list >> text=Coulibaly")
    page.click("#member-list >> text=Fatoumata Coulibaly")
    page.click("text=Suivi de l'enfant (5-17 ans)")
    page.check("[data-field=convulsions] input[value=yes]", force=True)
    page.check("[data-field=fever] input[value=yes]", force=True)
    page.fill("#f_fever_days", "2")
    page.fill("#f_weight_kg", "27.5")
    page.fill("#f_length_or_height_cm", "131.2")
    page.check("[data-field=in_school] input[value=yes]", force=True)
    page.check("[data-field=school_level] input[value=primary]", force=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("#save-visit")
    page.wait_for_selector("#visit-result .urgent", timeout=TIMEOUT)
    result = page.inner_text("#visit-result")
    assert "IMC pour l'âge" in result and "Convulsions" in result
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "older-child-urgent-360", full_page=False)

    context.set_offline(False)
    wait_synced(page)
    visit = Visit.objects.get(person__given_names="Fatoumata")
    assert visit.kind == "older_child_followup" and visit.urgent
    assert not visit.device_assessment_mismatch  # the server found what the phone had shown
    assert Alert.objects.get(visit=visit).rule == "danger_sign"
