"""Every page each role can reach fits a phone (360 px) and a tablet (1024 px): issue 11 §3.

For each demo role, the test logs in and walks the site's own links from the home page (same
origin, GET only, depth 3, a cap per role, at most two URLs per route so that 25 households do
not crowd out the other pages). On each page it compares ``document.documentElement.scrollWidth``
with the viewport's width at 360 px and at 1024 px, and checks that no button sticks out of the
screen. It fails listing the pages that overflow, as paths without their query strings (a search
may carry a name), and the pages that answered 5xx.

Out of scope: the Django admin (its own responsive layout), the offline app (``/chw/``, tested by
test_pwa_offline), the API and its docs, static files, the language switcher.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import deque
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mot-de-passe-test-2026"
WIDTHS = (360, 1024)
MAX_DEPTH = 3
MAX_PAGES_PER_ROLE = 25
MAX_PER_ROUTE = 2
SKIP_PREFIXES = ("/admin/", "/api/", "/chw/", "/static/", "/i18n/", "/comptes/deconnexion", "/favicon")
ROLES = ("relais01", "clinicien1", "dtc1", "specialiste", "social", "tresoriere", "suivi", "admin")
_ID = re.compile(r"/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)(?=/|$)")


@pytest.fixture
def web(live_server, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server.url


@pytest.fixture
def cast(users, district, household_factory):
    """A small district with something on every page: households in two zones, an urgent
    visit (alert, referral, slip), a referral to the CSRef, a tablet to revoke."""
    from keneya.people.services import add_member
    from keneya.people.tests.factories import person
    from keneya.referrals.services import refer_to_csref
    from keneya.sync.models import Device
    from keneya.visits.services import record_home_visit

    today = timezone.localdate()
    home = household_factory(
        users.chw1,
        phone="76 11 22 33",
        address_description="Derrière la grande mosquée de Lafiabougou, portail bleu, à côté de la boutique",
    )
    awa = add_member(
        by=users.chw1,
        household=home,
        data=person("Traoré-Keïta", "Awa Fatoumata Bintou", "F", today - timedelta(days=400)),
    )
    add_member(
        by=users.chw1,
        household=home,
        data=person("Traoré", "Mariam", "F", today - timedelta(days=25 * 365), "spouse"),
    )
    record_home_visit(
        by=users.chw1,
        person=awa,
        visit_date=today,
        kind="sick_child",
        findings={"convulsions": True, "bilateral_oedema": True},
    )
    record_home_visit(
        by=users.chw1,
        person=awa,
        visit_date=today - timedelta(days=30),
        kind="child_followup",
        measurements={"weight_kg": 7.5, "muac_mm": 118},
    )
    refer_to_csref(by=users.clinician1, person=awa, reason="Convulsions répétées.; Œdèmes bilatéraux.")
    household_factory(users.chw2, quartier=district.q2a)
    for n in range(2):
        Device.objects.create(
            id=uuid.uuid4(),
            user=users.chw1,
            name=f"Tablette Samsung Galaxy Tab A7 Lite n° {n + 1}",
            token_hash=hashlib.sha256(f"token-{n}".encode()).hexdigest(),
            last_seen_at=timezone.now(),
        )
    return home


def login(page, base, username):
    page.goto(f"{base}/comptes/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def route_of(path: str) -> str:
    return _ID.sub("/{id}", path)


def same_origin_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    links = []
    for href in hrefs:
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(page.url, href)
        if not url.startswith(base):
            continue
        parts = urlsplit(url)
        if parts.path.startswith(SKIP_PREFIXES):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def overflow(page) -> tuple[int, int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


# Buttons that stick out of the screen even when the page itself does not (inside a table that
# scrolls sideways, say): "Révoquer" must be reachable without hunting for it.
CUT_BUTTONS = """() => [...document.querySelectorAll('main .btn, main button')]
  .filter(b => b.offsetParent !== null)
  .filter(b => {
    const r = b.getBoundingClientRect();
    return r.right > window.innerWidth + 1 || r.left < -1;
  })
  .map(b => b.textContent.trim().slice(0, 40))"""


def crawl(page, base: str, username: str) -> tuple[list[str], list[str], int]:
    """(overflowing "path @ width (scrollWidth px)", 5xx paths, pages seen) for one role."""
    seen: set[str] = set()
    per_route: dict[str, int] = {}
    queue: deque[tuple[str, int]] = deque([("/", 0)])
    offenders: list[str] = []
    errors: list[str] = []
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        url, depth = queue.popleft()
        if url in seen:
            continue
        route = route_of(urlsplit(url).path)
        if per_route.get(route, 0) >= MAX_PER_ROUTE:
            continue
        per_route[route] = per_route.get(route, 0) + 1
        seen.add(url)
        page.set_viewport_size({"width": WIDTHS[0], "height": 640})
        response = page.goto(base + url, wait_until="load")
        path = urlsplit(url).path  # never the query string: it may carry a searched name
        if response is not None and response.status >= 500:
            errors.append(f"{username} {path} -> {response.status}")
            continue
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 640 if width == 360 else 600})
            scroll_width, viewport = overflow(page)
            if scroll_width > viewport:
                offenders.append(f"{username} {path} @ {width} px ({scroll_width} px)")
            cut = page.evaluate(CUT_BUTTONS)
            if cut:
                offenders.append(f"{username} {path} @ {width} px: buttons cut off {cut[:3]}")
        if depth < MAX_DEPTH:
            queue.extend((link, depth + 1) for link in same_origin_links(page, base) if link not in seen)
    return offenders, errors, len(seen)


def test_every_page_of_every_role_fits_360_and_1024_px(browser, browser_context_args, web, cast):
    offenders: list[str] = []
    errors: list[str] = []
    counts = {}
    for username in ROLES:
        context = browser.new_context(**browser_context_args)
        page = context.new_page()
        login(page, web, username)
        role_offenders, role_errors, counts[username] = crawl(page, web, username)
        offenders += role_offenders
        errors += role_errors
        context.close()
    assert not errors, "Pages en erreur :\n" + "\n".join(errors)
    assert not offenders, "Pages plus larges que l'écran :\n" + "\n".join(offenders)
    assert counts["relais01"] >= 10 and counts["clinicien1"] >= 8, counts
