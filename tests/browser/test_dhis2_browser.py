"""The M&E officer's DHIS2 flow in a real Chromium at 360 px and 1024 px: choose a month, see
the values and the unmapped cells, run a dry-run that the worker sends to a fake DHIS2, read
the conflicts against their cells (the page refreshes itself), push. No horizontal scroll.
Screenshots in test-artifacts/dhis2-*.png.
"""

from __future__ import annotations

import pytest

from keneya.interop.dhis2.tests.conftest import (  # noqa: F401 (fixtures)
    PERIOD,
    dhis2_settings,
    fake,
    mapped,
    month_values,
)
from tests.browser.test_pwa_offline import ARTIFACTS
from tests.browser.test_worklist_browser import login, overflow, web  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width, height", [(360, 640), (1024, 768)])
def test_the_me_officer_dry_runs_reads_the_conflicts_and_pushes(
    page,
    web,  # noqa: F811
    users,
    dhis2_settings,  # noqa: F811
    mapped,  # noqa: F811
    month_values,  # noqa: F811
    fake,  # noqa: F811
    width,
    height,
):
    from keneya.interop.dhis2 import sending
    from keneya.interop.dhis2.models import Push

    dhis2_settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # a real queue
    fake.metadata["categoryOptionCombos"] = [
        c for c in fake.metadata["categoryOptionCombos"] if c["code"] != "M"
    ]
    page.set_viewport_size({"width": width, "height": height})
    ARTIFACTS.mkdir(exist_ok=True)

    login(page, web, "suivi", "/")
    page.click("text=Envoi mensuel à DHIS2")
    page.fill("#mois", PERIOD)
    page.click("text=Préparer ce mois")
    page.wait_for_url(f"{web}/dhis2/{PERIOD}/")
    main = page.inner_text("main")
    assert "5 valeurs à envoyer" in main and "2 cellules sans correspondance" in main
    assert overflow(page) <= 0
    page.screenshot(path=str(ARTIFACTS / f"dhis2-month-{width}.png"), full_page=True)

    page.click("text=Lancer l'essai à blanc")
    page.wait_for_url(f"{web}/dhis2/envois/**")
    assert "en attente" in page.inner_text("main")
    assert not fake.imports()  # nothing left the request

    sending.run_due_pushes()  # the worker
    page.wait_for_function("() => document.querySelector('main').innerText.includes('conflits à corriger')")
    main = page.inner_text("main")
    assert "E7613" in main and "sex : M" in main and "corriger la combinaison" in main
    assert overflow(page) <= 0
    page.screenshot(path=str(ARTIFACTS / f"dhis2-conflicts-{width}.png"), full_page=True)

    page.goto(f"{web}/dhis2/{PERIOD}/")
    page.check("input[name=accept_conflicts]")
    page.click("text=Envoyer à DHIS2")
    page.wait_for_url(f"{web}/dhis2/envois/**")
    sending.run_due_pushes()
    page.wait_for_function("() => document.querySelector('main').innerText.includes('accepté avec conflits')")
    assert Push.objects.filter(dry_run=False).get().finished_at is not None
    page.goto(f"{web}/dhis2/{PERIOD}/")
    assert "envoyé le" in page.inner_text("main")
    assert overflow(page) <= 0
