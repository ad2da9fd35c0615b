"""A browser keeps its device id across logins: a CHW who comes back after a colleague used the
same browser gets their tablet back, not a second one on the supervision page (issue 11 §4)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mot-de-passe-test-2026"
TIMEOUT = 30_000


@pytest.fixture
def web(live_server, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server.url.replace("127.0.0.1", "localhost")  # a secure context for the worker


def open_app(page, base, username):
    page.goto(f"{base}/comptes/connexion/?next=/chw/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/chw/")
    page.wait_for_selector("html[data-ready='1']", timeout=TIMEOUT)
    page.wait_for_selector("#sync-message.ok", timeout=TIMEOUT)


def web_logout(page, base):
    page.goto(f"{base}/")
    page.click("text=Se déconnecter")
    page.wait_for_selector("#id_username")


def test_a_chw_logging_in_again_keeps_the_same_tablet(page, web, users, household_factory):
    from keneya.sync.models import Device

    household_factory(users.chw1)
    open_app(page, web, "relais01")
    first = Device.objects.get(user=users.chw1)
    web_logout(page, web)
    open_app(page, web, "relais02")  # another CHW on the same browser: the local data is wiped
    assert Device.objects.filter(user=users.chw2).count() == 1
    web_logout(page, web)
    open_app(page, web, "relais01")
    assert list(Device.objects.filter(user=users.chw1)) == [first]


def test_a_revoked_tablet_starts_over_with_a_new_id(page, web, users):
    from django.utils import timezone

    from keneya.sync.models import Device

    open_app(page, web, "relais01")
    first = Device.objects.get(user=users.chw1)
    Device.objects.filter(pk=first.pk).update(revoked_at=timezone.now(), revoked_by=users.manager1)
    page.evaluate(
        "() => indexedDB.databases().then(dbs => dbs.forEach(d => indexedDB.deleteDatabase(d.name)))"
    )
    web_logout(page, web)
    open_app(page, web, "relais01")
    devices = Device.objects.filter(user=users.chw1).order_by("created_at")
    assert devices.count() == 2 and devices.last().revoked_at is None
