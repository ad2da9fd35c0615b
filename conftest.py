"""Shared test fixtures: a small district (2 CSComs, a CSRef) and one user per role."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TEST_PASSWORD = "Mot-de-passe-test-2026"  # noqa: S105

# --- Hypothesis: a slow or loaded machine gives the same verdict as a fast one -----------------
# No deadline and no "too slow" health check (machine speed must not fail a test); with CI set,
# the "ci" profile also derandomizes (the same examples on every run) and keeps no example
# database. HYPOTHESIS_PROFILE overrides the choice. A test's own @settings only adds to these.
hypothesis_settings.register_profile(
    "keneya",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
hypothesis_settings.register_profile(
    "ci", parent=hypothesis_settings.get_profile("keneya"), derandomize=True, database=None
)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "keneya")
)


def pytest_configure(config: Any) -> None:
    # Every compiled lookup of the suite (the permission matrix and the scope tests included) is
    # checked against the same queryset built afresh (keneya/core/compiled.py, decision 0006).
    from keneya.core import compiled

    compiled.VERIFY = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's 1M iterations cost ~0.3 s per user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path_factory: Any) -> None:
    # Uploaded scans go to a temporary folder, never into the working tree.
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@dataclass
class District:
    region: Any
    cercle: Any
    commune: Any
    ha1: Any
    ha2: Any
    q1a: Any
    q1b: Any
    q2a: Any
    cscom1: Any
    cscom2: Any
    csref: Any


@pytest.fixture
def district(db: Any) -> District:
    from keneya.core.models import Area, AreaLevel, Facility, FacilityKind

    region = Area.objects.create(code="BKO", name="District de Bamako", level=AreaLevel.REGION)
    cercle = Area.objects.create(
        code="DS4", name="District sanitaire Commune IV", level=AreaLevel.CERCLE, parent=region
    )
    commune = Area.objects.create(code="C4", name="Commune IV", level=AreaLevel.COMMUNE, parent=cercle)
    ha1 = Area.objects.create(
        code="AS-LAF", name="Aire de Lafiabougou", level=AreaLevel.HEALTH_AREA, parent=commune
    )
    ha2 = Area.objects.create(
        code="AS-HAM", name="Aire de Hamdallaye", level=AreaLevel.HEALTH_AREA, parent=commune
    )
    q1a = Area.objects.create(code="LAF", name="Lafiabougou", level=AreaLevel.QUARTIER, parent=ha1)
    q1b = Area.objects.create(code="TAL", name="Taliko", level=AreaLevel.QUARTIER, parent=ha1)
    q2a = Area.objects.create(code="HAM", name="Hamdallaye", level=AreaLevel.QUARTIER, parent=ha2)
    csref = Facility.objects.create(
        code="CSREF4", name="CSRef Commune IV", kind=FacilityKind.CSREF, health_area=commune
    )
    cscom1 = Facility.objects.create(
        code="ASACOLA", name="CSCom ASACOLA I", kind=FacilityKind.CSCOM, health_area=ha1, refers_to=csref
    )
    cscom2 = Facility.objects.create(
        code="ASACOHAM", name="CSCom ASACOHAM", kind=FacilityKind.CSCOM, health_area=ha2, refers_to=csref
    )
    return District(region, cercle, commune, ha1, ha2, q1a, q1b, q2a, cscom1, cscom2, csref)


@pytest.fixture
def make_user(db: Any) -> Any:
    from keneya.accounts.models import User

    def make(
        username: str, role: str, *, facility: Any = None, areas: tuple[Any, ...] = (), **extra: Any
    ) -> Any:
        user = User.objects.create_user(
            username=username,
            password=TEST_PASSWORD,
            role=role,
            facility=facility,
            first_name=username.title(),
            **extra,
        )
        if areas:
            user.areas.set(areas)
        return user

    return make


@dataclass
class Users:
    chw1: Any
    chw2: Any
    clinician1: Any
    clinician2: Any
    manager1: Any
    specialist: Any
    social: Any
    treasurer: Any
    me: Any
    admin: Any

    def all(self) -> dict[str, Any]:
        return dict(self.__dict__)


@pytest.fixture
def users(district: District, make_user: Any) -> Users:
    return Users(
        chw1=make_user("relais01", "chw", areas=(district.q1a,)),
        chw2=make_user("relais02", "chw", areas=(district.q2a,)),
        clinician1=make_user("clinicien1", "clinician", facility=district.cscom1, cadre="nurse"),
        clinician2=make_user("clinicien2", "clinician", facility=district.cscom2, cadre="doctor"),
        manager1=make_user("dtc1", "facility_manager", facility=district.cscom1),
        specialist=make_user("specialiste", "specialist", facility=district.csref),
        social=make_user("social", "social_worker", areas=(district.commune,)),
        treasurer=make_user("tresoriere", "treasurer"),
        me=make_user("suivi", "me_officer"),
        admin=make_user("admin", "admin", is_staff=True, is_superuser=True),
    )


@pytest.fixture
def household_factory(district: District) -> Any:
    """Register a household through the service, as a given user."""
    from keneya.people.services import register_household
    from keneya.people.tests.factories import person

    def make(by: Any, quartier: Any = None, members: Any = None, **kwargs: Any) -> Any:
        members = (
            members
            if members is not None
            else [
                person("Traoré", "Moussa", "M", date(1985, 3, 2), "head"),
                person("Traoré", "Aminata", "F", date(2021, 7, 14), "child"),
            ]
        )
        return register_household(by=by, quartier=quartier or district.q1a, members=members, **kwargs)

    return make


@pytest.fixture
def toddler(users: Users, household_factory: Any) -> Any:
    """A boy of 500 days in a household of relais01 (with a phone)."""
    from django.utils import timezone

    from keneya.people.services import add_member
    from keneya.people.tests.factories import person

    household = household_factory(users.chw1, phone="76 00 00 09")
    return add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Issa", "M", timezone.localdate() - timedelta(days=500)),
    )


# --- Browser tests (Playwright driving Debian's chromium) ---------------------------------------
@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Africa/Bamako"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: scripts/test.sh installs it with apt")
        pytest.skip("chromium not installed (scripts/test.sh installs it)")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }
