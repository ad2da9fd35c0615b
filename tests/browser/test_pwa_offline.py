"""The offline CHW app (/chw/) in a real Chromium: offline work, cut syncs, two tablets, revocation.

The app registers its service worker on http://localhost (a secure context), keeps its data in
IndexedDB and syncs with docs/sync.md. Playwright cuts the network with ``context.set_offline``
and breaks a push with ``route``; the assertions are on the server's database.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "Mot-de-passe-test-2026"
TIMEOUT = 20_000


@pytest.fixture
def web(live_server, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    ARTIFACTS.mkdir(exist_ok=True)
    # The service worker needs a secure context: http://localhost is one, 127.0.0.1 may not be.
    return live_server.url.replace("127.0.0.1", "localhost")


def shot(page, name, full_page=True):
    page.screenshot(path=str(ARTIFACTS / f"pwa-{name}.png"), full_page=full_page)


def login(page, base, username="relais01"):
    page.goto(f"{base}/comptes/connexion/?next=/chw/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/chw/")


def open_app(page, base, username="relais01"):
    """Log in, open the app, wait for the service worker to control it and the first sync."""
    login(page, base, username)
    page.wait_for_selector("html[data-ready='1']", timeout=TIMEOUT)
    # a function, not an expression: the CSP forbids the eval Playwright uses for expressions
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=TIMEOUT)
    wait_synced(page)


def wait_synced(page):
    page.wait_for_selector("#sync-message.ok", timeout=TIMEOUT)
    page.wait_for_selector("#pending-count[data-count='0']", timeout=TIMEOUT)


def sync(page):
    page.click("#sync-button")
    wait_synced(page)


def pending(page) -> int:
    return int(page.get_attribute("#pending-count", "data-count"))


def register_household(
    page,
    *,
    family,
    head_given,
    head_sex="M",
    head_born="1984-02-01",
    address="Derrière la mosquée, portail bleu",
    screenshot=None,
):
    page.click("text=+ Nouveau ménage")
    page.fill("#address_description", address)
    page.fill("#family_name", family)
    page.fill("#given_names", head_given)
    page.check(f"input[name=sex][value={head_sex}]", force=True)
    page.fill("#date_of_birth", head_born)
    if screenshot:
        shot(page, screenshot)
    page.click("#save-household")
    page.wait_for_selector("#member-list")


def add_member(page, *, family, given, sex, born, relationship="child"):
    page.click("text=+ Ajouter un membre")
    page.fill("#family_name", family)
    page.fill("#given_names", given)
    page.check(f"input[name=sex][value={sex}]", force=True)
    page.fill("#date_of_birth", born)
    page.select_option("#relationship_to_head", relationship)
    page.click("#save-person")
    page.wait_for_selector("#member-list")


def record_danger_sign_visit(page, child_name, screenshot=None):
    page.click(f"#member-list >> text={child_name}")
    page.click("text=Enfant malade (PCIME communautaire)")
    page.check("[data-field=convulsions] input[value=yes]", force=True)
    page.check("[data-field=cough] input[value=no]", force=True)
    if screenshot:
        page.locator("[data-field=convulsions]").scroll_into_view_if_needed()
        shot(page, screenshot, full_page=False)
    page.click("#save-visit")
    page.wait_for_selector("#visit-result .urgent", timeout=TIMEOUT)


def local_counts(page) -> dict[str, int]:
    return page.evaluate("""async () => {
        const db = new Dexie('keneya-chw');
        await db.open();
        const counts = {};
        for (const table of db.tables) counts[table.name] = await table.count();
        db.close();
        return counts;
    }""")


# --- 1. Offline work ------------------------------------------------------------------------


def test_a_chw_works_offline_reloads_and_syncs_once(page, context, web, users, district, household_factory):
    from keneya.alerts.models import Alert
    from keneya.people.models import Household, Person
    from keneya.visits.models import Visit

    household_factory(users.chw1)  # Moussa and Aminata Traoré, already on the server
    page.set_viewport_size({"width": 360, "height": 640})
    open_app(page, web)
    page.wait_for_selector("#household-list >> text=Moussa Traoré")

    context.set_offline(True)
    page.wait_for_selector("#net-state.off")
    page.fill("#household-search", "traore")  # accents and spellings ignored
    page.wait_for_selector("#household-list >> text=Moussa Traoré")
    page.fill("#household-search", "")

    register_household(page, family="Diarra", head_given="Drissa", screenshot="new-household-offline-phone")
    add_member(page, family="Diarra", given="Awa", sex="F", born="1990-05-05", relationship="spouse")
    child_born = (date.today() - timedelta(days=400)).isoformat()
    add_member(page, family="Jara", given="Fanta", sex="F", born=child_born)
    page.wait_for_selector("#members-title >> text=3 membres")
    shot(page, "household-offline-phone")

    record_danger_sign_visit(page, "Fanta Jara", screenshot="visit-form-phone")
    result = page.inner_text("#visit-result")
    assert "Référer d'urgence" in result
    assert "Convulsions" in result
    shot(page, "urgent-result-offline-phone")
    assert pending(page) == 5  # household, 3 persons, 1 visit

    # Reload while still offline: the shell comes from the service worker, data from IndexedDB.
    page.reload()
    page.wait_for_selector("#visit-result .urgent", timeout=TIMEOUT)
    assert pending(page) == 5
    page.get_by_role("link", name="Ménage", exact=True).click()
    page.wait_for_selector("#members-title >> text=3 membres")

    assert not Household.objects.filter(address_description__startswith="Derrière").exists()
    context.set_offline(False)  # the `online` event starts the sync
    wait_synced(page)
    shot(page, "synced-phone")

    household = Household.objects.get(address_description="Derrière la mosquée, portail bleu")
    assert household.chw == users.chw1
    assert sorted(household.members.values_list("given_names", flat=True)) == ["Awa", "Drissa", "Fanta"]
    assert household.head.given_names == "Drissa"
    visit = Visit.objects.get(person__given_names="Fanta")
    assert visit.urgent and visit.kind == "sick_child"
    assert not visit.device_assessment_mismatch
    assert Alert.objects.filter(visit=visit).count() == 1
    assert Person.objects.filter(family_name__in=["Diarra", "Jara"]).count() == 3

    # What the CSCom does with the referral comes back with the next sync.
    page.click("#tabs >> text=Références")
    page.wait_for_selector("#referral-list >> text=Fanta Jara")
    assert "Pas encore arrivé·e au centre" in page.inner_text("#referral-list")
    shot(page, "referrals-phone")
    page.click("#tabs >> text=Tâches")
    page.wait_for_selector("text=Vérifier l'arrivée", timeout=TIMEOUT)
    shot(page, "tasks-phone")

    # A second sync changes nothing on the server.
    sync(page)
    assert Household.objects.filter(address_description__startswith="Derrière").count() == 1
    assert Visit.objects.filter(person__household=household).count() == 1


def test_duplicate_warning_uses_the_tablet_data_offline(page, context, web, users, household_factory):
    household_factory(users.chw1)  # Aminata Traoré, born 2021-07-14
    page.set_viewport_size({"width": 1024, "height": 600})
    open_app(page, web)
    shot(page, "home-tablet")
    context.set_offline(True)
    register_household(page, family="Sangaré", head_given="Drissa")
    page.click("text=+ Ajouter un membre")
    page.fill("#family_name", "Traore")
    page.fill("#given_names", "Aminata")
    page.check("input[name=sex][value=F]", force=True)
    page.fill("#date_of_birth", "2022-09-01")
    page.wait_for_selector("#duplicate-warning >> text=doublon possible")
    page.click("#save-person")
    page.wait_for_selector("text=Vérifiez le doublon possible")
    shot(page, "duplicate-warning-tablet")
    page.check("#confirm_not_duplicate")
    page.click("#save-person")
    page.wait_for_selector("#members-title >> text=2 membres")


# --- 2. Interrupted sync -----------------------------------------------------------------------


def test_a_sync_cut_in_the_middle_leaves_no_duplicate_and_loses_nothing(page, context, web, users, district):
    from keneya.people.models import Household, Person
    from keneya.sync.models import PushBatch
    from keneya.visits.models import Visit

    page.set_viewport_size({"width": 1024, "height": 600})
    open_app(page, web)
    context.set_offline(True)
    register_household(page, family="Coulibaly", head_given="Bakary")
    add_member(
        page,
        family="Coulibaly",
        given="Mariam",
        sex="F",
        born=(date.today() - timedelta(days=700)).isoformat(),
    )
    record_danger_sign_visit(page, "Mariam Coulibaly")
    assert pending(page) == 4

    # The first push reaches the server, which stores the batch, but its answer never comes
    # back (the connection drops): the app must retry without creating anything twice.
    cut = {"pushes": 0}

    def drop_answer(route):
        cut["pushes"] += 1
        if cut["pushes"] == 1:
            route.fetch()  # the server processes the batch...
            route.abort("connectionreset")  # ...and the tablet never hears back
        else:
            route.continue_()

    page.route("**/api/v1/sync/push/", drop_answer)
    context.set_offline(False)  # the `online` event starts the sync
    page.wait_for_selector("#sync-message.error", timeout=TIMEOUT)
    assert cut["pushes"] == 1
    assert pending(page) == 4  # nothing dropped: still waiting on the tablet
    assert Household.objects.filter(members__given_names="Bakary").count() == 1  # stored once
    shot(page, "sync-interrupted-tablet")

    # The retry: hold the first pull page to see the progress bar with its counts.
    held = []
    page.route("**/api/v1/sync/pull/**", lambda route: held.append(route))
    page.click("#sync-button")
    page.wait_for_selector("#sync-progress >> text=Réception", timeout=TIMEOUT)
    assert "Synchronisation…" in page.inner_text("#sync-button")
    shot(page, "sync-progress-tablet", full_page=False)
    page.unroute("**/api/v1/sync/pull/**")
    for route in held:
        route.continue_()
    wait_synced(page)
    assert cut["pushes"] == 2
    assert Household.objects.filter(members__given_names="Bakary").count() == 1
    assert Person.objects.filter(family_name="Coulibaly").count() == 2
    assert Visit.objects.filter(person__given_names="Mariam").count() == 1
    assert PushBatch.objects.count() == 1  # the retry was the same batch, answered again
    assert local_counts(page)["outbox"] == 0


def test_a_record_the_server_refuses_stays_on_the_tablet_with_its_reason(page, context, web, users, district):
    from keneya.people.models import Household

    page.set_viewport_size({"width": 360, "height": 640})
    open_app(page, web)
    context.set_offline(True)
    register_household(page, family="Keïta", head_given="Seydou")
    # Meanwhile the supervisor moved the CHW to another quartier: the household is refused.
    users.chw1.areas.set([district.q2a])
    context.set_offline(False)  # the `online` event starts the sync
    page.wait_for_selector("#rejected-count", timeout=TIMEOUT)
    page.click("#rejected-count")
    page.wait_for_selector("#rejected-list .card.rejected")
    text = page.inner_text("#rejected-list")
    assert "Ménage" in text and "zone" in text
    shot(page, "rejected-phone")
    assert not Household.objects.filter(members__given_names="Seydou").exists()
    assert local_counts(page)["outbox"] == 2  # household and head, kept with their reason

    # The CHW fixes the quartier; the household and its head (refused with it) go again.
    page.locator("#rejected-list").get_by_role("link", name="Corriger", exact=True).click()
    page.select_option("#quartier", label="Hamdallaye")
    page.click("#save-household")
    page.wait_for_selector("#member-list")
    sync(page)
    household = Household.objects.get(members__given_names="Seydou")
    assert household.quartier == district.q2a
    assert local_counts(page)["outbox"] == 0
    assert page.locator("#rejected-count").count() == 0


# --- 3. Two tablets -----------------------------------------------------------------------------


def test_two_tablets_edit_the_same_phone_offline_and_the_conflict_is_recorded(
    browser, web, users, household_factory, browser_context_args
):
    from keneya.people.models import Person
    from keneya.sync.models import Device, SyncConflict

    household = household_factory(users.chw1)
    moussa = household.members.get(given_names="Moussa")
    tablets = []
    for _ in range(2):
        context = browser.new_context(**browser_context_args, viewport={"width": 1024, "height": 600})
        page = context.new_page()
        open_app(page, web)
        tablets.append((context, page))
    assert Device.objects.filter(user=users.chw1).count() == 2

    for (context, page), phone in zip(tablets, ("76 11 11 11", "66 22 22 22"), strict=True):
        context.set_offline(True)
        page.goto(f"{web}/chw/#/personne/{moussa.pk}/modifier")
        page.wait_for_selector("#phone")
        page.fill("#phone", phone)
        page.click("#save-person")
        page.wait_for_selector(f"text=Téléphone : +223 {phone}")
        page.wait_for_timeout(50)  # the second tablet's edit is the later one
    (context_a, page_a), (context_b, page_b) = tablets
    shot(page_b, "two-tablets-edit-offline")

    context_a.set_offline(False)
    wait_synced(page_a)
    context_b.set_offline(False)
    wait_synced(page_b)
    sync(page_a)

    moussa.refresh_from_db()
    assert moussa.phone == "+22366222222"  # last writer (by the device's clock) wins
    conflict = SyncConflict.objects.get(object_id=moussa.pk, field="phone")
    assert {conflict.server_value, conflict.incoming_value} == {"+22376111111", "+22366222222"}
    assert conflict.server_device != conflict.incoming_device
    page_a.goto(f"{web}/chw/#/personne/{moussa.pk}")
    page_a.wait_for_selector("text=Téléphone : +223 66 22 22 22")
    assert Person.objects.filter(household=household).count() == 2
    for context, _page in tablets:
        context.close()


# --- 4. Revoked device -------------------------------------------------------------------------


def test_a_revoked_tablet_locks_and_forgets_its_data(page, context, web, users, household_factory):
    from keneya.sync.models import Device
    from keneya.sync.services import revoke_device

    household_factory(users.chw1)
    page.set_viewport_size({"width": 360, "height": 640})
    open_app(page, web)
    counts = local_counts(page)
    assert counts["households"] == 1 and counts["persons"] == 2

    device = Device.objects.get(user=users.chw1)
    revoke_device(by=users.manager1, device=device)
    page.click("#sync-button")
    page.wait_for_selector("#locked >> text=Tablette désactivée", timeout=TIMEOUT)
    shot(page, "revoked-phone")
    counts = local_counts(page)
    assert sum(counts.values()) == 0, counts

    page.reload()  # still locked, still empty
    page.wait_for_selector("#locked", timeout=TIMEOUT)
    assert sum(local_counts(page).values()) == 0
    page.click("text=Se reconnecter")
    page.wait_for_url("**/comptes/connexion/**")  # the web session was ended too


# --- Every kind of visit ------------------------------------------------------------------------


def test_every_kind_of_visit_is_assessed_offline_as_the_server_does(
    page, context, web, users, district, household_factory
):
    from keneya.people.tests.factories import person
    from keneya.visits.models import Visit

    today = date.today()
    household_factory(
        users.chw1,
        members=[
            person("Sangaré", "Kadiatou", "F", today - timedelta(days=26 * 365), "head"),
            person("Sangaré", "Oumar", "M", today - timedelta(days=20), "child"),
            person("Sangaré", "Mah", "F", today - timedelta(days=550), "child"),
        ],
    )
    page.set_viewport_size({"width": 1024, "height": 600})
    open_app(page, web)
    context.set_offline(True)
    page.click("#household-list >> text=Sangaré")

    # Child follow-up with measurements: z-scores and nutrition.
    page.click("#member-list >> text=Mah Sangaré")
    page.click("text=Suivi de l'enfant")
    page.fill("#f_weight_kg", "8.1")
    page.fill("#f_length_or_height_cm", "76.5")
    page.fill("#f_muac_mm", "118")
    page.click("#save-visit")
    page.wait_for_selector("#visit-result table.zscores", timeout=TIMEOUT)
    result = page.inner_text("#visit-result")
    assert "Poids pour l'âge" in result and "Malnutrition aiguë modérée" in result
    shot(page, "followup-zscores-tablet")
    page.get_by_role("link", name="Ménage", exact=True).click()

    # Pregnancy visit with the last menstrual period: gestational age, routine care.
    page.click("#member-list >> text=Kadiatou Sangaré")
    page.click("text=Suivi de grossesse")
    page.fill("#f_lmp", (today - timedelta(days=13 * 7)).isoformat())
    page.click("#save-visit")
    page.wait_for_selector("#visit-result >> text=13 semaines", timeout=TIMEOUT)
    assert "urgent" not in page.get_attribute("#visit-result", "class")
    page.get_by_role("link", name="Ménage", exact=True).click()

    # Postnatal visit of the newborn with a danger sign.
    page.click("#member-list >> text=Oumar Sangaré")
    page.click("text=Visite postnatale (mère et nouveau-né)")
    page.fill("#f_temperature_c", "38.2")
    page.click("#save-visit")
    page.wait_for_selector("#visit-result .urgent", timeout=TIMEOUT)
    shot(page, "postnatal-urgent-tablet", full_page=False)

    context.set_offline(False)
    wait_synced(page)
    visits = Visit.objects.filter(person__household__members__given_names="Mah").distinct()
    assert sorted(visits.values_list("kind", flat=True)) == ["child_followup", "postnatal", "pregnancy"]
    # The server re-assessed every visit and found what the tablet had shown.
    assert not visits.filter(device_assessment_mismatch=True).exists()
    assert visits.get(kind="postnatal").urgent
