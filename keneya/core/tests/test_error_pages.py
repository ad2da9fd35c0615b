"""French error pages with the navigation and a sentence saying what to do (issue 11 §3).

Run with DEBUG off (pytest-django's default), as in production.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path


def _boom(request: Any) -> Any:
    raise RuntimeError("boom")


def _forbidden(request: Any) -> Any:
    raise PermissionDenied


urlpatterns = [
    path("test-erreur/", _boom),
    path("test-interdit/", _forbidden),
    path("", include("keneya.urls")),
]


@pytest.fixture
def prod(settings: Any) -> None:
    settings.DEBUG = False


@pytest.mark.django_db
def test_unknown_page_is_a_french_404_with_navigation(client, users, prod):
    client.force_login(users.chw1)
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert "revenez à l'accueil" in html or "revenez à l&#x27;accueil" in html
    assert 'class="topbar"' in html and "Se déconnecter" in html
    assert "Not Found" not in html


@pytest.mark.django_db
def test_anonymous_404_is_french_too(client, prod):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.django_db
def test_a_page_outside_the_role_is_a_french_403_with_navigation(client, users, prod):
    client.force_login(users.treasurer)
    response = client.get("/menages/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Accès refusé" in html
    assert "Votre rôle ne donne pas accès à cette page" in html
    assert 'class="topbar"' in html
    assert "403 Forbidden" not in html


@pytest.mark.django_db
@pytest.mark.urls("keneya.core.tests.test_error_pages")
def test_permission_denied_anywhere_gives_the_french_403(client, users, prod):
    client.force_login(users.chw1)
    response = client.get("/test-interdit/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("keneya.core.tests.test_error_pages")
def test_server_error_is_a_french_500_that_needs_no_context(users, prod):
    client = Client(raise_request_exception=False)
    client.force_login(users.chw1)
    response = client.get("/test-erreur/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Erreur du serveur" in html
    assert "réessayez dans quelques minutes" in html
    assert 'href="/"' in html
    assert "Server Error" not in html


def test_500_template_renders_without_request_or_database():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Erreur du serveur" in html


@pytest.mark.django_db
def test_csrf_failure_is_a_french_page_with_navigation(users, prod):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.chw1)
    response = client.post("/menages/nouveau/", {"family_name": "Diarra"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Formulaire expiré" in html
    assert "rechargez-la" in html
    assert 'class="topbar"' in html
    assert "CSRF verification failed" not in html


@pytest.mark.django_db
def test_pages_link_the_favicon_and_it_is_served(client, users):
    from django.contrib.staticfiles import finders

    client.force_login(users.chw1)
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/static/keneya/favicon.svg"' in html
    assert 'href="/static/keneya/favicon-32.png"' in html
    names = ("keneya/favicon.svg", "keneya/favicon-32.png", "keneya/favicon.ico", "pwa/icons/favicon.svg")
    for name in names:
        assert finders.find(name), name
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/keneya/favicon.ico"
    assert "pwa/icons/favicon.svg" in client.get("/chw/").content.decode()
