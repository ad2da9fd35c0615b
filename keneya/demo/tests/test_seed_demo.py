"""``manage.py seed_demo`` on a tiny district (60 households): logins, zones, scope, determinism."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keneya.accounts.models import Role
from keneya.alerts.models import PRIORITY_RANK, Alert, AlertStatus, CloseReason
from keneya.alerts.rules import VisitFacts, matching_rules
from keneya.alerts.services import cscom_ids_of_quartiers
from keneya.clinical import ENGINE_VERSION
from keneya.clinical.visit import assess_home_visit
from keneya.core.models import Area, AreaLevel, Facility, FacilityKind, Organisation
from keneya.demo import district
from keneya.notifications.models import OutboxMessage
from keneya.people.models import Household, Person, Relationship
from keneya.people.names import name_key
from keneya.people.scope import households_visible_to
from keneya.people.services import refresh_search_text
from keneya.records import icd10
from keneya.records.models import Consultation, Diagnosis
from keneya.referrals.models import Referral
from keneya.visits.models import Observation, Visit
from keneya.visits.queries import weights_up_to

SMALL = "60"


def seed(tmp_path: Path, *extra: str) -> list[dict[str, Any]]:
    logins_file = tmp_path / "logins.json"
    call_command(
        "seed_demo", "--households", SMALL, "--logins-file", str(logins_file), *extra, stdout=io.StringIO()
    )
    return json.loads(logins_file.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_every_role_has_a_demo_login(tmp_path: Path) -> None:
    logins = seed(tmp_path)

    assert {login["role"] for login in logins} == set(Role.values)
    for login in logins:
        assert set(login) >= {"username", "password", "role", "facility", "areas"}
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser and admin.role == Role.ADMIN


@pytest.mark.django_db
def test_demo_password_passes_the_validators_and_matches_every_user(tmp_path: Path) -> None:
    logins = seed(tmp_path)

    users = get_user_model().objects.in_bulk([x["username"] for x in logins], field_name="username")
    for login in logins:
        user = users[login["username"]]
        validate_password(login["password"], user)
        assert user.check_password(login["password"])


@pytest.mark.django_db
def test_printed_logins_sign_in_through_the_login_page(tmp_path: Path) -> None:
    logins = {x["username"]: x for x in seed(tmp_path)}

    for username in ("relais01", "clinicien.lafiabougou", "dtc.sebenikoro", "admin"):
        client = Client()
        response = client.post(
            reverse("login"),
            {
                "username": username,
                "password": logins[username]["password"],
            },
        )
        assert response.status_code == 302, username
        assert client.session.get("_auth_user_id"), username


@pytest.mark.django_db
def test_each_chw_has_a_quartier_of_their_own_and_households(tmp_path: Path) -> None:
    logins = seed(tmp_path)

    chws = get_user_model().objects.filter(role=Role.CHW).prefetch_related("areas")
    assert chws.count() >= len(district.QUARTIERS)
    assert len([x for x in logins if x["role"] == Role.CHW]) == chws.count()
    for chw in chws:
        areas = list(chw.areas.all())
        assert len(areas) == 1 and areas[0].level == AreaLevel.QUARTIER
        assert chw.cadre in {"relais", "asc"}
        mine = Household.objects.filter(chw=chw)
        assert mine.exists(), chw.username
        assert not mine.exclude(quartier=areas[0]).exists()
        assert households_visible_to(chw).count() == mine.count()


@pytest.mark.django_db
def test_each_cscom_has_a_clinician_and_a_manager_and_refers_to_the_csref(tmp_path: Path) -> None:
    seed(tmp_path)

    csref = Facility.objects.get(kind=FacilityKind.CSREF)
    assert csref.health_area is not None and csref.health_area.level == AreaLevel.COMMUNE
    assert csref.staff.filter(role=Role.SPECIALIST).exists()
    assert csref.staff.filter(role=Role.FACILITY_MANAGER).exists()
    cscoms = Facility.objects.filter(kind=FacilityKind.CSCOM)
    assert cscoms.count() == 4
    for cscom in cscoms:
        assert cscom.refers_to == csref
        assert cscom.health_area is not None
        assert cscom.health_area.level == AreaLevel.HEALTH_AREA
        assert cscom.staff.filter(role=Role.CLINICIAN).exists()
        assert cscom.staff.filter(role=Role.FACILITY_MANAGER).exists()
        assert Organisation.objects.filter(facility=cscom, kind="asaco").exists()
        clinician = cscom.staff.get(role=Role.CLINICIAN)
        visible = households_visible_to(clinician)
        assert visible.exists()
        assert not visible.exclude(quartier__parent=cscom.health_area).exists()


@pytest.mark.django_db
def test_area_tree_and_household_codes_follow_the_quartier(tmp_path: Path) -> None:
    seed(tmp_path)

    for area in Area.objects.select_related("parent"):
        area.clean()  # each level hangs under the level above
    for household in Household.objects.select_related("quartier"):
        assert household.code.startswith(f"{household.quartier.code}-")


@pytest.mark.django_db
def test_derived_fields_match_what_the_services_compute(tmp_path: Path) -> None:
    seed(tmp_path)

    for person in Person.objects.all():
        assert person.name_key == name_key(person.family_name, person.given_names)
    for household in Household.objects.select_related("head"):
        assert household.head is not None
        assert household.head.household_id == household.pk
        assert household.head.relationship_to_head == Relationship.HEAD
        seeded = household.search_text
        refresh_search_text(household)
        # Same words; the order of two members with the same name may differ between DBs.
        assert sorted(seeded.split()) == sorted(household.search_text.split())


@pytest.mark.django_db
def test_seed_refuses_to_run_twice_without_reset(tmp_path: Path) -> None:
    seed(tmp_path)

    with pytest.raises(CommandError, match="--reset"):
        seed(tmp_path)


@pytest.mark.django_db
def test_seed_is_deterministic_across_resets(tmp_path: Path) -> None:
    seed(tmp_path)
    first = (
        sorted(Household.objects.values_list("code", flat=True)),
        sorted(Person.objects.values_list("id", "given_names")),
    )

    seed(tmp_path, "--reset")
    second = (
        sorted(Household.objects.values_list("code", flat=True)),
        sorted(Person.objects.values_list("id", "given_names")),
    )

    assert first == second
    assert len(first[0]) == int(SMALL)
    assert get_user_model().objects.filter(username="admin").count() == 1


# --- the closed loop: six months of visits, alerts, referrals, consultations --------------------

LOOP = "240"  # households: enough children for every scripted story in every health area
T0 = datetime(2026, 3, 10, 10, 30, tzinfo=ZoneInfo("Africa/Bamako"))


def seed_loop(tmp_path: Path, time_machine: Any, *extra: str) -> None:
    time_machine.move_to(T0, tick=False)
    call_command(
        "seed_demo",
        "--households",
        LOOP,
        "--logins-file",
        str(tmp_path / "logins.json"),
        *extra,
        stdout=io.StringIO(),
    )


def loop_snapshot() -> dict[str, Any]:
    return {
        "visits": sorted(Visit.objects.values_list("id", "kind", "visit_date", "urgent")),
        "alerts": sorted(Alert.objects.values_list("id", "rule", "status", "close_reason", "raised_at")),
        "referrals": sorted(Referral.objects.values_list("id", "status", "time_to_care")),
        "consultations": sorted(Consultation.objects.values_list("id", "referral_id")),
        "observations": Observation.objects.count(),
        # Dedup keys hold user ids, which a reset renumbers: compare what was sent.
        "messages": sorted(OutboxMessage.objects.values_list("template", "recipient", "body")),
    }


@pytest.mark.django_db
def test_alerts_are_in_every_state_and_every_cscom_inbox_is_alive(tmp_path: Path, time_machine: Any) -> None:
    seed_loop(tmp_path, time_machine)

    assert set(Alert.objects.values_list("status", flat=True)) == set(AlertStatus.values)
    closed = Alert.objects.filter(status=AlertStatus.CLOSED)
    assert set(closed.values_list("close_reason", flat=True)) == set(CloseReason.values)
    assert not Alert.objects.exclude(status=AlertStatus.CLOSED).exclude(close_reason="").exists()
    assert Alert.objects.filter(status=AlertStatus.CONVOKED, appointment_date__gt=T0.date())
    assert Alert.objects.exclude(escalated_at=None).filter(status=AlertStatus.OPEN).exists()
    now = timezone.now()
    # Escalation is what the scheduler would have done: every urgent alert left open for 2 h.
    for alert in Alert.objects.filter(priority="urgent"):
        unacknowledged_until = alert.acknowledged_at or alert.closed_at or now
        overdue = unacknowledged_until - alert.raised_at > timedelta(hours=2, minutes=1)
        assert (alert.escalated_at is not None) == overdue, alert.pk
    for cscom in Facility.objects.filter(kind=FacilityKind.CSCOM):
        inbox = Alert.objects.filter(facility=cscom).exclude(status=AlertStatus.CLOSED)
        assert inbox.filter(
            priority="urgent", status=AlertStatus.OPEN, raised_at__gte=now - timedelta(hours=1)
        ).exists(), cscom.code
        assert inbox.filter(status=AlertStatus.CONVOKED).exists(), cscom.code
    # Timelines: an event per change, in order, the last one saying the current status.
    last_kind = {
        AlertStatus.OPEN: {"raised", "escalated"},
        AlertStatus.ACKNOWLEDGED: {"acknowledged"},
        AlertStatus.CONVOKED: {"convoked"},
        AlertStatus.CLOSED: {"closed"},
    }
    for alert in Alert.objects.prefetch_related("events"):
        events = list(alert.events.all())
        assert events[0].kind == "raised" and events[0].at == alert.raised_at
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert events[-1].at <= now
        assert events[-1].kind in last_kind[AlertStatus(alert.status)], alert.pk
    assert Person.objects.filter(vital_status="deceased", alerts__close_reason="deceased")
    assert Household.objects.filter(status="moved", members__alerts__close_reason="moved")


@pytest.mark.django_db
def test_urgent_visits_are_referred_and_most_are_seen_within_24_hours(
    tmp_path: Path, time_machine: Any
) -> None:
    seed_loop(tmp_path, time_machine)

    urgent = Visit.objects.filter(urgent=True)
    assert urgent.exists()
    assert Referral.objects.filter(visit__in=urgent).count() == urgent.count()
    assert not Referral.objects.filter(visit__urgent=False).exists()
    assert set(Referral.objects.values_list("status", flat=True)) >= {
        "issued",
        "seen",
        "counter_referred",
        "closed",
        "not_arrived",
    }
    seen = Referral.objects.exclude(time_to_care=None)
    delays: list[timedelta] = [r.time_to_care for r in seen if r.time_to_care is not None]
    within = [d <= timedelta(hours=24) for d in delays]
    late = [timedelta(hours=24) < d <= timedelta(hours=72) for d in delays]
    assert sum(within) > 0.6 * len(within)
    assert any(late)
    for referral in seen:
        assert referral.seen_at is not None
        assert referral.time_to_care == referral.seen_at - referral.issued_at
        assert referral.consultations.exists()  # seen = a consultation was recorded
    # Not arrived after 24 h: the CSCom's follow-up alert, as check_overdue_referrals raises it.
    for referral in Referral.objects.filter(events__kind="not_arrived"):
        assert referral.alerts.filter(rule="referral_not_arrived").count() == 1
    assert Referral.objects.exclude(from_facility=None).filter(to_facility__kind=FacilityKind.CSREF).exists()
    codes = set(Diagnosis.objects.values_list("icd10_code", flat=True))
    assert codes & {"B50.0", "B50.8", "B50.9"} and codes & {"E43", "E44.0"} and "J18.9" in codes
    for diagnosis in Diagnosis.objects.all():
        entry = icd10.lookup(diagnosis.icd10_code)
        assert entry is not None and entry.label == diagnosis.label
    assert not OutboxMessage.objects.exclude(status="sent").exists()  # nothing left to send


@pytest.mark.django_db
def test_stored_assessments_are_the_engines_and_alerts_follow_the_rules(
    tmp_path: Path, time_machine: Any
) -> None:
    seed_loop(tmp_path, time_machine)

    visits = list(
        Visit.objects.select_related("person", "person__household__quartier").order_by("recorded_at")
    )
    assert {v.kind for v in visits} == {"child_followup", "sick_child", "pregnancy", "postnatal"}
    assert 0.01 < sum(v.urgent for v in visits) / len(visits) < 0.1
    alerts = {(a.visit_id, a.rule): a for a in Alert.objects.exclude(visit=None)}
    for visit in visits[::3]:
        assessment = assess_home_visit(
            kind=visit.kind,
            sex=visit.person.sex,
            date_of_birth=visit.person.date_of_birth,
            visit_date=visit.visit_date,
            findings={k: v for k, v in visit.findings.items() if k != "vaccines"},  # not the engine's
            measurements=visit.measurements,
        )
        assert visit.assessment == assessment
        assert visit.engine_version == ENGINE_VERSION
        assert (visit.urgent, visit.action, visit.follow_up_days) == (
            assessment["urgent_referral"],
            assessment["action"],
            assessment["follow_up_days"],
        )
        facts = VisitFacts(
            kind=visit.kind,
            visit_date=visit.visit_date,
            assessment=visit.assessment,
            weights=weights_up_to(visit),
        )
        matches = sorted(matching_rules(facts), key=lambda m: PRIORITY_RANK[m[0].priority])  # type: ignore[index]
        raised = [rule for visit_id, rule in alerts if visit_id == visit.pk]
        assert raised == [m[0].code for m in matches[:1]], visit.pk
        if matches:
            alert = alerts[(visit.pk, matches[0][0].code)]
            quartier = visit.person.household.quartier_id
            assert alert.facility_id == cscom_ids_of_quartiers([quartier])[quartier]
            assert alert.findings == list(dict.fromkeys(f for _r, found in matches for f in found))
            assert alert.raised_at == visit.recorded_at
    for obs in Observation.objects.filter(code="weight_kg").select_related("visit")[:200]:
        assert obs.value_number == obs.visit.measurements["weight_kg"]


@pytest.mark.django_db
def test_closed_loop_is_deterministic_for_a_date(tmp_path: Path, time_machine: Any) -> None:
    seed_loop(tmp_path, time_machine)
    first = loop_snapshot()

    seed_loop(tmp_path, time_machine, "--reset")

    assert loop_snapshot() == first
    assert len(first["visits"]) > 1000 and len(first["alerts"]) > 50


@pytest.mark.django_db
def test_reset_removes_what_the_demo_was_used_for(tmp_path: Path, time_machine: Any) -> None:
    """Triage, consultations, record accesses, tablets: --reset still removes everything."""
    from keneya.alerts.services import acknowledge_alert
    from keneya.records.services import log_record_access, record_consultation
    from keneya.sync.models import ChangeLog
    from keneya.sync.services import register_device

    seed_loop(tmp_path, time_machine)
    seeded_changes = ChangeLog.objects.count()  # the services the demo replays write them
    time_machine.move_to(T0 + timedelta(minutes=5), tick=False)
    alert = Alert.objects.filter(status=AlertStatus.OPEN).select_related("facility").first()
    assert alert is not None
    clinician = get_user_model().objects.get(facility=alert.facility, role=Role.CLINICIAN)
    acknowledge_alert(by=clinician, alert=alert)
    log_record_access(user=clinician, person=alert.person, context="patient_page")
    record_consultation(by=clinician, person=alert.person, complaint="Toux", diagnoses=["J06.9"])
    chw = get_user_model().objects.filter(role=Role.CHW).first()
    register_device(by=chw, device_id=uuid.uuid4(), name="Tablette")
    assert ChangeLog.objects.count() > seeded_changes

    seed_loop(tmp_path, time_machine, "--reset")

    assert ChangeLog.objects.count() == seeded_changes
    assert Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).exists()


@pytest.mark.django_db
def test_no_visits_option_seeds_the_registry_only(tmp_path: Path) -> None:
    seed(tmp_path, "--no-visits")

    assert Person.objects.exists()
    assert not Visit.objects.exists() and not Alert.objects.exists()


def social_part() -> Callable[[], None]:
    """Checks on the seeded demo; returns the checks after the reset (test_every_part_...)."""
    from keneya.social_protection.models import Dossier, ScorecardVersion, Screening
    from keneya.social_rules import schemes

    households = Household.objects.count()
    screened = Screening.objects.values("household").distinct().count()
    assert 0.2 * households <= screened <= 0.5 * households  # about a third
    assert ScorecardVersion.objects.filter(active=True, illustrative=True).exists()
    # Every screening scored as the grid scores it (the service did it).
    assert all(s.score == sum(line["points"] for line in s.breakdown) for s in Screening.objects.all())
    statuses = set(Dossier.objects.filter(scheme="ramed").values_list("status", flat=True))
    assert "card_issued" in statuses and schemes.scheme("ramed")["initial"] in statuses

    def after_reset() -> None:
        assert Screening.objects.values("household").distinct().count() == screened

    return after_reset


def lab_part() -> Callable[[], None]:
    """Checks on the seeded demo; returns the checks after the reset (test_every_part_...)."""
    from keneya.lab.models import LabOrder, LabResult

    assert get_user_model().objects.filter(role=Role.LAB_TECHNICIAN).count() == len(district.HEALTH_AREAS)
    results = LabResult.objects.all()
    assert results.filter(abnormal=True).exists() and results.filter(critical=True).exists()
    assert results.filter(abnormal=False).count() > results.filter(abnormal=True).count()
    assert LabOrder.objects.filter(status="pending").exists() and results.exclude(voided_at=None).exists()
    # Each critical result raised its alert; each CSCom's inbox shows yesterday's severe anaemia.
    lab_alerts = Alert.objects.filter(rule="lab_critical_result")
    assert lab_alerts.count() == results.filter(critical=True).count()
    for cscom in Facility.objects.filter(kind=FacilityKind.CSCOM):
        assert lab_alerts.filter(facility=cscom, status=AlertStatus.OPEN).exists(), cscom.code
    first = sorted(LabResult.objects.values_list("id", "test", "value", "interpretation"))

    def after_reset() -> None:
        assert sorted(LabResult.objects.values_list("id", "test", "value", "interpretation")) == first

    return after_reset
