"""The CHW's task list in a real Chromium: the web page /taches/ and the tablet's "Tâches" tab.

A zone of demo size (85 households, about 500 tasks: relais01's demo list had 494) must stay
a short page: 25 tasks a page on the web, 30 cards then "Voir plus" on the tablet, no
horizontal scrolling at 360 px, filters by kind and household (offline on the tablet).
"""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest
from django.utils import timezone

from keneya.people.services import register_household
from keneya.people.tests.factories import person
from keneya.worklist.queries import group_on, tasks_for_chw
from tests.browser.test_pwa_offline import ARTIFACTS, PASSWORD, TIMEOUT, open_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOUSEHOLDS = 85
FAMILIES = ["Traoré", "Coulibaly", "Diarra", "Keïta", "Sangaré", "Touré", "Dembélé"]


@pytest.fixture
def web(live_server, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    ARTIFACTS.mkdir(exist_ok=True)
    # The service worker needs a secure context: http://localhost is one, 127.0.0.1 may not be.
    return live_server.url.replace("127.0.0.1", "localhost")


GIVEN = ["Awa", "Fanta", "Ibrahim", "Seydou", "Kadiatou", "Moussa", "Oumou", "Bakary", "Mariam"]


def demo_size_zone(chw, quartier) -> int:
    """85 households: a parent, two children of 5-17 years, two under 5 with no vaccine recorded
    (a quarterly visit, a monthly visit and one grouped vaccine task each): about 500 tasks."""
    today = timezone.localdate()
    names = product(FAMILIES, GIVEN, GIVEN)
    for i in range(HOUSEHOLDS):
        family, given, other = next(names)
        register_household(
            by=chw,
            quartier=quartier,
            members=[
                person(family, given, "F", today - timedelta(days=30 * 365), "head"),
                person(family, other, "M", today - timedelta(days=9 * 365 + i), "child"),
                person(family, f"{other} Junior", "F", today - timedelta(days=12 * 365 + i), "child"),
                person(family, f"{given} Petit", "M", today - timedelta(days=400 + i), "child"),
                person(family, f"{given} Bébé", "F", today - timedelta(days=200 + i), "child"),
            ],
        )
    return len(tasks_for_chw(chw=chw, on=today))


def login(page, base, username="relais01", next_url="/"):
    page.goto(f"{base}/comptes/connexion/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width, height", [(360, 640), (1024, 768)])
def test_the_web_list_is_paged_grouped_and_filtered(page, web, users, district, width, height):
    total = demo_size_zone(users.chw1, district.q1a)
    assert total >= 450
    page.set_viewport_size({"width": width, "height": height})
    login(page, web)
    page.goto(f"{web}/taches/")
    assert overflow(page) <= 0
    assert page.locator(".task").count() == 25
    assert page.locator("h2#groupe-overdue").inner_text().startswith("En retard (")
    assert f"{total} tâches" in page.inner_text("main")
    # One page is short: 494 tasks made a page 43,540 px tall.
    tall = page.evaluate("document.documentElement.scrollHeight")
    assert tall < (9000 if width == 360 else 5000), tall
    page.screenshot(path=str(ARTIFACTS / f"tasks-web-{width}px.png"), full_page=True)

    # Next page: the next 25, the headings say "(suite)" when a group continues.
    first = page.locator(".task a").first.inner_text()
    page.click("a[rel=next]")
    page.wait_for_url("**/taches/?page=2")
    assert page.locator(".task").count() == 25
    assert page.locator(".task a").first.inner_text() != first
    assert "Page 2 sur" in page.inner_text(".pager")
    assert overflow(page) <= 0

    # Filter by kind: only vaccine tasks, the query string holds the code only.
    page.select_option("#filter-type", "vaccine_due")
    page.click("#task-filters button[type=submit]")
    page.wait_for_url("**/taches/?type=vaccine_due&menage=")
    kinds = page.eval_on_selector_all(".task", "els => els.map(e => e.dataset.kind)")
    assert kinds and set(kinds) == {"vaccine_due"} and len(kinds) == 25
    assert page.locator(".task .what").first.inner_text().startswith("Vaccins en retard (")
    page.click("a[rel=next]")
    page.wait_for_url("**/taches/?type=vaccine_due&page=2")
    assert set(page.eval_on_selector_all(".task", "els => els.map(e => e.dataset.kind)")) == {"vaccine_due"}

    # Filter by household: its tasks only.
    page.goto(f"{web}/taches/")
    option = page.locator("#filter-menage option").nth(1)
    household = option.get_attribute("value")
    page.select_option("#filter-menage", household)
    page.click("#task-filters button[type=submit]")
    page.wait_for_url(f"**/taches/?type=&menage={household}")
    assert 1 <= page.locator(".task").count() <= 6
    assert "correspondent au filtre" in page.inner_text("#shown-count")
    assert overflow(page) <= 0
    page.click("text=Tout afficher")
    page.wait_for_url(f"{web}/taches/")


def test_the_tablet_list_stays_short_and_filters_offline(page, context, web, users, district):
    total = demo_size_zone(users.chw1, district.q1a)
    today = timezone.localdate()
    now = [t for t in tasks_for_chw(chw=users.chw1, on=today) if group_on(t, today) in ("today", "overdue")]
    page.set_viewport_size({"width": 360, "height": 640})
    open_app(page, web)
    page.click("#tabs >> text=Tâches")
    page.wait_for_selector("#task-list .card.task", timeout=TIMEOUT)
    # The tab's badge: what is for today or overdue, not the whole list.
    assert page.inner_text("#tabs a[data-path='/taches'] .count") == str(len(now))
    assert page.locator("#task-list .card.task").count() == 30
    assert f"{total} tâches" in page.inner_text("#view")
    assert overflow(page) <= 0
    tall = page.evaluate("document.documentElement.scrollHeight")
    assert tall < 9000, tall
    page.screenshot(path=str(ARTIFACTS / "pwa-tasks-phone.png"), full_page=False)

    page.click("#tasks-more")
    assert page.locator("#task-list .card.task").count() == 60
    assert "restantes" in page.inner_text("#tasks-more")

    context.set_offline(True)
    page.wait_for_selector("#net-state.off")
    page.select_option("#task-kind", "vaccine_due")
    kinds = page.eval_on_selector_all("#task-list li", "els => els.map(e => e.dataset.kind)")
    assert len(kinds) == 30 and set(kinds) == {"vaccine_due"}
    assert page.inner_text("#task-count").endswith(f"sur {total}")
    page.select_option("#task-kind", "")
    household = page.locator("#task-household option").nth(1).get_attribute("value")
    page.select_option("#task-household", household)
    assert 1 <= page.locator("#task-list .card.task").count() <= 6
    page.select_option("#task-household", "")
    page.click("#task-groups button[data-group=overdue]")
    headings = page.eval_on_selector_all("#task-list h2", "els => els.map(e => e.textContent)")
    assert len(headings) == 1 and headings[0].startswith("En retard (")
    assert overflow(page) <= 0
    # The filters hold across a redraw, and the list opens a person's page.
    page.click("#tabs >> text=Ménages")
    page.click("#tabs >> text=Tâches")
    page.wait_for_selector("#task-list .card.task")
    assert page.locator("#task-groups button.active").get_attribute("data-group") == "overdue"
    page.locator("#task-list .card.task").first.click()
    page.wait_for_url("**/chw/#/personne/*")
