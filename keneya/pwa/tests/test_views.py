"""The CHW app's server side: shell, session, manifest, service worker, engine data."""

from __future__ import annotations

import gzip
import json
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from keneya.clinical.bundle import engine_bundle
from keneya.pwa.views import STATIC_DIR, static_files

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]


def test_the_shell_is_for_chws_and_holds_no_personal_data(client, users):
    client.force_login(users.chw1)
    response = client.get("/chw/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'rel="manifest"' in page and "/static/pwa/app.js" in page
    assert "relais01" not in page and "Relais01" not in page  # served from cache to anyone
    vocabulary = json.loads(page.split('id="vocabulary" type="application/json">')[1].split("</script>")[0])
    assert vocabulary["findings"]["convulsions"] == "Convulsions"
    assert "vaginal_bleeding" in vocabulary["pregnancy_signs"]


def test_the_shell_sends_visitors_to_login_and_refuses_other_roles(client, users):
    response = client.get("/chw/")
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]
    client.force_login(users.clinician1)
    assert client.get("/chw/").status_code == 403


def test_session_names_the_chw_and_their_quartiers(client, users, district):
    assert client.get("/chw/session.json").status_code == 401
    client.force_login(users.chw1)
    data = client.get("/chw/session.json").json()
    assert data["user"]["username"] == "relais01"
    assert data["quartiers"] == [{"id": str(district.q1a.pk), "code": "LAF", "name": "Lafiabougou"}]
    assert data["csrf_token"]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_manifest_makes_the_app_installable(client):
    response = client.get("/chw/manifest.webmanifest")
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "Kènèya Relais" and manifest["lang"] == "fr"
    assert manifest["start_url"] == "/chw/" and manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b6e4f"
    sizes = set()
    for icon in manifest["icons"]:
        found = finders.find(icon["src"].removeprefix("/static/"))
        assert isinstance(found, str), icon["src"]
        width, height = _png_size(Path(found))
        assert icon["sizes"] == f"{width}x{height}"
        sizes.add(width)
    assert sizes == {192, 512}


def test_service_worker_precaches_the_whole_app_from_the_chw_scope(client):
    response = client.get("/chw/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/chw/"
    text = response.content.decode()
    precache = json.loads(text.split("const PRECACHE = ")[1].split(";\n")[0])
    for url in (
        "/chw/",
        "/chw/engine-data.json",
        "/chw/manifest.webmanifest",
        "/static/pwa/app.js",
        "/static/pwa/db.js",
        "/static/pwa/sync.js",
        "/static/pwa/names.js",
        "/static/pwa/app.css",
        "/static/pwa/vendor/dexie.min.js",
        "/static/pwa/icons/icon-512.png",
    ):
        assert url in precache
    for url in precache:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    assert not any(url.endswith((".md", ".txt")) for url in precache)
    assert "workbox" not in text.lower() and "https://" not in text


def test_service_worker_version_follows_the_files(client, tmp_path, monkeypatch):
    from keneya.pwa import views

    (tmp_path / "pwa").mkdir()
    app = tmp_path / "pwa" / "app.js"
    app.write_text("// version 1\n")
    monkeypatch.setattr(views, "STATIC_DIR", tmp_path)
    monkeypatch.setattr(views, "PWA_STATIC", tmp_path / "pwa")
    first = client.get("/chw/sw.js").content
    assert client.get("/chw/sw.js").content == first
    app.write_text("// version 2\n")
    assert client.get("/chw/sw.js").content != first
    (tmp_path / "pwa" / "extra.js").write_text("// new module\n")
    assert b"/static/pwa/extra.js" in client.get("/chw/sw.js").content


def test_engine_data_is_the_bundle_with_an_etag_and_gzip(client):
    response = client.get("/chw/engine-data.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == json.loads(json.dumps(engine_bundle()))
    etag = response["ETag"]
    assert client.get("/chw/engine-data.json", HTTP_IF_NONE_MATCH=etag).status_code == 304
    zipped = client.get("/chw/engine-data.json", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content)) == response.json()
    assert len(zipped.content) < len(response.content) / 2


def test_static_files_are_vendored_not_fetched_from_a_cdn():
    files = static_files()
    assert "pwa/vendor/dexie.min.js" in files
    for name in files:
        if name.endswith((".js", ".css")) and "vendor/" not in name:
            text = (STATIC_DIR / name).read_text("utf-8")
            assert "https://" not in text and "http://" not in text, name


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_js_name_normaliser_meets_the_python_one():
    result = subprocess.run(
        ["node", "--test", "tests/js/names.test.mjs"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_js_visit_ids_are_time_ordered_uuids():
    result = subprocess.run(
        ["node", "--test", "tests/js/ids.test.mjs"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


NAMES = [
    "Traoré",
    "TRAORE",
    "Trawore",
    "Coulibaly",
    "Kulibali",
    "Koulibaly",
    "Keïta",
    "Diarra",
    "Jara",
    "Sissoko",
    "Cissoko",
    "Diallo",
    "Djallo",
    "Camara",
    "Touré",
    "Doumbia",
    "Dunbia",
    "Cissé",
    "Fatoumata",
    "Maïmouna-Kɔnɛ",
    "N'Diaye",
    "Ɲɛlɛ Saŋare",
    "Œuvre",
    "Kadiatou Bah",
    "Diéneba",
    "Sidibé",
    "Konaté",
    "Dembélé",
    "Aminata  Sy",
    "Mah",
    "Phatoumata",
    "Ousmane Cissé",
    "Seydou",
    "Hawa",
    "Djénéba",
    "Bakary",
]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_js_normalise_name_gives_the_python_answer_on_a_name_list():
    from keneya.people.names import fold, normalise_name

    script = (
        "import {fold, normaliseName} from './keneya/pwa/static/pwa/names.js';"
        "const names = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(names.map(n => [fold(n), normaliseName(n)])));"
    )
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps(NAMES)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout) == [[fold(n), normalise_name(n)] for n in NAMES]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_js_registry_rules_give_the_python_answers():
    """Household codes, phone numbers and estimated birth dates made offline match the server's."""
    import uuid
    from datetime import date

    from django.core.exceptions import ValidationError

    from keneya.core.models import Area
    from keneya.people.services import household_code
    from keneya.people.validation import estimated_birth_date, normalise_phone

    ids = [str(uuid.UUID(int=n * 0x1234567890ABCDEF1234567 % 2**128)) for n in range(1, 25)]
    phones = [
        "76 12 34 56",
        "+223 76123456",
        "0022376123456",
        "76-12-34-56",
        "7612345",
        "",
        "(66) 22.22.22",
        "+22166123456",
    ]
    ages = [(0, 3), (1, None), (2, 0), (None, 11), (45, None), (0, 0), (119, None)]
    on = "2026-03-02"
    script = (
        "import {householdCode, normalisePhone, estimatedBirthDate} from "
        "'./keneya/pwa/static/pwa/people.js';"
        "const [ids, phones, ages, on] = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify([ids.map(i => householdCode('LAF', i)),"
        " phones.map(p => normalisePhone(p).value ?? null),"
        " ages.map(([y, m]) => estimatedBirthDate(y, m, on))]));"
    )
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps([ids, phones, ages, on])],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    codes, normalised, births = json.loads(result.stdout)
    quartier = Area(code="LAF")
    assert codes == [household_code(quartier, uuid.UUID(i)) for i in ids]

    def python_phone(value: str) -> str | None:
        try:
            return normalise_phone(value)
        except ValidationError:
            return None

    assert normalised == [python_phone(p) for p in phones]
    today = date.fromisoformat(on)
    assert births == [
        estimated_birth_date(age_years=y, age_months=m, today=today).isoformat() for y, m in ages
    ]
