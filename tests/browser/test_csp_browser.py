"""The Content-Security-Policy holds on the app's own pages (issue #10 §6): main pages of a few
roles, the Swagger docs, the admin and the offline CHW app (service worker, manifest), in a real
Chromium, with every ``securitypolicyviolation`` event and CSP console error collected."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mot-de-passe-test-2026"
TIMEOUT = 90_000  # generous: a loaded CI machine is slow, never wrong
COLLECT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def web(live_server, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server.url.replace("127.0.0.1", "localhost")


@pytest.fixture
def objects(users, household_factory):
    from django.utils import timezone

    from keneya.people.services import add_member
    from keneya.people.tests.factories import person
    from keneya.records.services import record_consultation
    from keneya.visits.services import record_home_visit

    household = household_factory(users.chw1)
    child = add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Fanta", "F", timezone.localdate() - timedelta(days=400)),
    )
    visit = record_home_visit(
        by=users.chw1,
        person=child,
        visit_date=timezone.localdate(),
        kind="sick_child",
        findings={"convulsions": True},
        measurements={"weight_kg": 8.1},
    )
    record_consultation(by=users.clinician1, person=household.head, complaint="Céphalées", diagnoses=["R51"])
    return {"household": household.pk, "child": child.pk, "referral": visit.referral.pk}


class Watcher:
    def __init__(self, context):
        self.console: list[str] = []
        context.add_init_script(COLLECT)
        context.on("page", self.watch)

    def watch(self, page):
        page.on(
            "console",
            lambda m: (
                self.console.append(f"{page.url}: {m.text}")
                if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text
                else None
            ),
        )

    def visit(self, page, url, violations):
        page.goto(url)
        page.wait_for_load_state("networkidle", timeout=TIMEOUT)
        violations += [f"{url}: {v}" for v in page.evaluate("window.__csp || []")]


def login(page, base, username, next_url="/"):
    page.goto(f"{base}/comptes/connexion/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_url}")


def test_the_main_pages_of_each_role_and_the_pwa_raise_no_csp_violation(browser, web, users, objects):
    violations: list[str] = []
    pages = {
        "clinicien1": [
            "/",
            "/menages/?q=traore",
            f"/menages/{objects['household']}/",
            "/alertes/",
            "/references/",
            f"/references/{objects['referral']}/fiche/",
            f"/patients/{objects['child']}/",
            f"/patients/{objects['child']}/consultation/",
            "/comptes/mot-de-passe/",
        ],
        "dtc1": ["/", "/supervision/synchronisation/", "/references/"],
        "admin": ["/admin/", "/admin/accounts/user/", "/api/docs/"],
        "relais01": [
            "/",
            f"/personnes/{objects['child']}/visites/nouvelle/",
            f"/personnes/{objects['child']}/visites/nouvelle/enfant-malade/",
            "/taches/",
        ],
    }
    watchers = []
    for username, paths in pages.items():
        context = browser.new_context()
        watcher = Watcher(context)
        watchers.append(watcher)
        page = context.new_page()
        login(page, web, username)
        for path in paths:
            watcher.visit(page, web + path, violations)
        if username == "clinicien1":
            # the language switch works without its old inline handler (app.js)
            page.goto(f"{web}/comptes/mot-de-passe/")
            with page.expect_navigation():
                page.select_option("#lang", "en")
            assert page.locator("html").get_attribute("lang") == "en"
        if username == "admin":
            page.goto(f"{web}/api/docs/")
            page.wait_for_selector(".swagger-ui .information-container", timeout=TIMEOUT)
            violations += [f"/api/docs/: {v}" for v in page.evaluate("window.__csp || []")]
        context.close()

    # The offline CHW app: shell, manifest, service worker, first sync.
    context = browser.new_context()
    watcher = Watcher(context)
    watchers.append(watcher)
    page = context.new_page()
    login(page, web, "relais01", "/chw/")
    page.wait_for_selector("html[data-ready='1']", timeout=TIMEOUT)
    # a function, not an expression: the CSP forbids the eval Playwright uses for expressions
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=TIMEOUT)
    page.wait_for_selector("#sync-message.ok", timeout=TIMEOUT)
    page.reload()  # now served by the service worker
    page.wait_for_selector("html[data-ready='1']", timeout=TIMEOUT)
    page.wait_for_selector("#sync-message.ok", timeout=TIMEOUT)
    # No request left in the server when the test ends.
    page.wait_for_load_state("networkidle", timeout=TIMEOUT)
    violations += [f"/chw/: {v}" for v in page.evaluate("window.__csp || []")]
    context.close()

    console = [line for w in watchers for line in w.console]
    assert not violations and not console, violations + console
