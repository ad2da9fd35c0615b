"""The M&E officer's indicators in a real Chromium at 360 px and 1024 px: the dashboard, a month
and a health area chosen, a number clicked (the count behind it, no names), the monthly report
downloaded as a PDF and as a workbook. No horizontal scroll. Screenshots in
test-artifacts/indicators-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_pwa_offline import ARTIFACTS
from tests.browser.test_worklist_browser import login, overflow, web  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def figures(users, district, household_factory):
    from keneya.indicators import engine
    from keneya.people.tests.factories import person
    from keneya.visits.services import record_home_visit

    today = timezone.localdate()
    household = household_factory(
        users.chw1,
        members=[
            person("Traoré", "Moussa", "M", today - timedelta(days=30 * 365), "head"),
            person("Traoré", "Aminata", "F", today - timedelta(days=700), "child"),
        ],
    )
    child = household.members.get(given_names="Aminata")
    record_home_visit(by=users.chw1, person=child, visit_date=today, kind="child_followup")
    other = household_factory(users.chw2, quartier=district.q2a)
    record_home_visit(
        by=users.chw2,
        person=other.members.get(relationship_to_head="child"),
        visit_date=today,
        kind="child_followup",
    )
    engine.rebuild(first=today.replace(day=1) - timedelta(days=40), last=today)
    return {"child": child}


@pytest.mark.parametrize("width, height", [(360, 640), (1024, 768)])
def test_the_me_officer_follows_a_number_to_its_count_and_downloads_the_report(
    page,
    web,  # noqa: F811
    users,
    figures,
    settings,
    width,
    height,  # noqa: F811
):
    settings.TASKS = IMMEDIATE
    page.set_viewport_size({"width": width, "height": height})
    ARTIFACTS.mkdir(exist_ok=True)
    login(page, web, "suivi", "/indicateurs/")
    assert "Indicateurs" in page.inner_text("h1")
    assert page.locator("#row-home_visits a.value").inner_text() == "2"
    assert overflow(page) <= 0

    month = timezone.localdate().strftime("%Y-%m")
    page.select_option("#f-period", month)
    page.wait_for_url(lambda url: f"period={month}" in url)
    page.select_option("#f-area", "AS-LAF")
    page.wait_for_url(lambda url: "health_area=AS-LAF" in url)
    assert page.locator("#row-home_visits a.value").inner_text() == "1"
    page.wait_for_function("() => document.getElementById('ind-map').dataset.ready === '1'")
    assert overflow(page) <= 0
    page.screenshot(path=str(ARTIFACTS / f"indicators-dashboard-{width}.png"), full_page=True)

    page.click("#row-home_visits a.value")
    page.wait_for_url(lambda url: "/enregistrements/" in url)
    assert page.inner_text("#records-count").startswith("1 visites")
    assert page.locator("#counts-only").is_visible()
    assert "Traoré" not in page.inner_text("main")
    assert overflow(page) <= 0

    page.goto(f"{web}/indicateurs/rapports/?period={month}")
    assert overflow(page) <= 0
    for button, suffix in (("#report-pdf", ".pdf"), ("#report-xlsx", ".xlsx")):
        page.goto(f"{web}/indicateurs/rapports/?period={month}")
        page.click(button)
        page.wait_for_selector("#report-download")
        with page.expect_download() as download_info:
            page.click("#report-download")
        download = download_info.value
        assert download.suggested_filename == f"rapport-programme-{month}{suffix}"
        content = open(download.path(), "rb").read()
        assert content.startswith(b"%PDF" if suffix == ".pdf" else b"PK")
    assert overflow(page) <= 0
