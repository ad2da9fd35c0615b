"""The CHW's targets on the tablet at 360 px: set by the M&E officer, pulled at the sync, shown
offline in the "Objectifs" tab with the progress as of the last sync."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.test_pwa_offline import TIMEOUT, open_app, shot, web  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_chw_sees_their_target_and_progress_offline(page, context, web, users, household_factory):  # noqa: F811
    from keneya.indicators import engine, registry, targets
    from keneya.visits.services import record_home_visit

    household = household_factory(users.chw1)
    child = household.members.get(given_names="Aminata")
    today = timezone.localdate()
    record_home_visit(by=users.chw1, person=child, visit_date=today, kind="child_followup")
    engine.rebuild(first=today.replace(day=1), last=today)
    month = registry.month_of(today).code
    targets.set_target(by=users.me, indicator="home_visits", period=month, value=4, chw=users.chw1)

    page.set_viewport_size({"width": 360, "height": 740})
    open_app(page, web)
    context.set_offline(True)
    page.wait_for_selector("#net-state.off")
    page.click("#tabs >> text=Objectifs")
    page.wait_for_selector("#targets-list", timeout=TIMEOUT)
    text = page.inner_text("#targets-list")
    assert "Visites à domicile, par type" in text and "1 sur 4" in text and "25 %" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "pwa-targets-360")
