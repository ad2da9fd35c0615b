"""Every role against every page and endpoint: allowed (2xx), forbidden (403) or hidden (404).

The test fails when a URL exists that the matrix does not list, so the matrix stays complete as
the project grows: add the new page or endpoint here with the answer for each role.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

ROLES = ["chw", "chw_other_zone", "clinician", "clinician_other_cscom", "specialist",
         "social_worker", "treasurer", "facility_manager", "me_officer", "admin"]

OK, FORBIDDEN, HIDDEN, REDIRECT = 200, 403, 404, 302


def row(**overrides: int) -> dict[str, int]:
    """Default: every role allowed; overrides name the exceptions."""
    answers = dict.fromkeys(ROLES, OK)
    answers.update(overrides)
    return answers


REGISTRY_VIEW = row(treasurer=FORBIDDEN, me_officer=FORBIDDEN)
REGISTRY_EDIT = row(specialist=FORBIDDEN, treasurer=FORBIDDEN, me_officer=FORBIDDEN)
# An object belonging to chw1's zone (CSCom 1's health area).
IN_SCOPE_VIEW = row(chw_other_zone=HIDDEN, clinician_other_cscom=HIDDEN, specialist=HIDDEN,
                    treasurer=FORBIDDEN, me_officer=FORBIDDEN)
IN_SCOPE_EDIT = row(chw_other_zone=HIDDEN, clinician_other_cscom=HIDDEN, specialist=FORBIDDEN,
                    treasurer=FORBIDDEN, me_officer=FORBIDDEN)
AGGREGATES = row(chw=FORBIDDEN, chw_other_zone=FORBIDDEN, clinician=FORBIDDEN,
                 clinician_other_cscom=FORBIDDEN, specialist=FORBIDDEN,
                 social_worker=FORBIDDEN, treasurer=FORBIDDEN)
ADMIN_ONLY = {**dict.fromkeys(ROLES, REDIRECT), "admin": OK}

# url name -> (method, path template, answers). {household} and {person} are filled in.
MATRIX: dict[str, tuple[str, str, dict[str, int]]] = {
    "home": ("GET", "/", row()),
    "people:household_list": ("GET", "/menages/?q=traore", REGISTRY_VIEW),
    "people:household_create": ("GET", "/menages/nouveau/", REGISTRY_EDIT),
    "people:household_detail": ("GET", "/menages/{household}/", IN_SCOPE_VIEW),
    "people:member_create": ("GET", "/menages/{household}/membres/nouveau/", IN_SCOPE_EDIT),
    "people:similar_check": ("POST", "/personnes/similaires/", REGISTRY_EDIT),
    "people:person_detail": ("GET", "/personnes/{person}/", IN_SCOPE_VIEW),
    "people:person_death": ("GET", "/personnes/{person}/deces/", IN_SCOPE_EDIT),
    "people:statistics": ("GET", "/statistiques/registre/", AGGREGATES),
    "household-list": ("GET", "/api/v1/households/", REGISTRY_VIEW),
    "household-detail": ("GET", "/api/v1/households/{household}/", IN_SCOPE_VIEW),
    "person-list": ("GET", "/api/v1/persons/", REGISTRY_VIEW),
    "person-detail": ("GET", "/api/v1/persons/{person}/", IN_SCOPE_VIEW),
    "person-similar": ("GET", "/api/v1/persons/similar/?quartier={quartier}&family_name=Traore"
                       "&given_names=Aminata&sex=F&date_of_birth=2021-01-01", REGISTRY_VIEW),
    "admin:index": ("GET", "/admin/", ADMIN_ONLY),
}
# Public on purpose: login, logout, language switch, token exchange, the API description.
PUBLIC = {"login", "logout", "set_language", "api_token", "api_schema", "api_docs"}


def all_url_names(resolver: Any = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace == "admin":
                continue  # Django's admin: guarded as a whole (admin:index row)
            names |= all_url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_matrix_lists_every_named_url():
    missing = all_url_names() - set(MATRIX) - PUBLIC
    assert not missing, f"add these URLs to the permission matrix: {sorted(missing)}"


@pytest.fixture
def actors(users):
    return {
        "chw": users.chw1, "chw_other_zone": users.chw2, "clinician": users.clinician1,
        "clinician_other_cscom": users.clinician2, "specialist": users.specialist,
        "social_worker": users.social, "treasurer": users.treasurer,
        "facility_manager": users.manager1, "me_officer": users.me, "admin": users.admin,
    }


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_role_gets_the_expected_answer(name, actors, users, district, household_factory):
    method, template, answers = MATRIX[name]
    household = household_factory(users.chw1)
    path = template.format(household=household.pk, person=household.head.pk,
                           quartier=district.q1a.pk)
    failures = []
    for role in ROLES:
        client = APIClient()
        client.force_login(actors[role])
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, {"family_name": "Traoré", "quartier": district.q1a.pk})
        if response.status_code != answers[role]:
            failures.append(f"{role}: {response.status_code} (expected {answers[role]})")
    assert not failures, f"{method} {path}: " + "; ".join(failures)


@pytest.mark.parametrize("path", ["/", "/menages/", "/api/v1/households/", "/api/v1/persons/"])
def test_anonymous_visitors_are_sent_to_login_or_refused(client, path):
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]
