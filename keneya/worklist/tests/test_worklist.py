"""The CHW task list, evaluated with a frozen clock (time-machine), as cht-core tests its tasks.

Scenario, day 0 = Tuesday 10 February 2026, CHW ``relais01``:

- household A (Traoré): Awa, pregnant, LMP 4 November 2025 (14 weeks on day 0), a pregnancy
  visit on day 0; Fanta (20 months) treated at home for malaria on day 0 (follow-up in 3 days),
  with moderate malnutrition: the CSCom convokes the family for day 7; Ibrahim (3 years) with
  convulsions on day 0: urgent referral; Seydou (7 years), never visited this quarter; Moussa,
  the father. Both young children's vaccination cards are complete.
- household B (Coulibaly): Kadiatou, born on day 0, postnatal visit on day 0; her mother Mariam.

Nothing else is done after day 0 (the referral becomes "not arrived" by the 24 h check), and
the list is read on day 0, 3, 30 and 45. Separate tests do the visits that resolve each task.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from keneya.alerts.services import convoke_family
from keneya.clinical import immunization
from keneya.people.services import add_member, record_death, register_household
from keneya.people.tests.factories import person
from keneya.referrals.services import check_overdue_referrals, mark_arrived
from keneya.visits.models import Observation
from keneya.visits.services import record_home_visit
from keneya.worklist.queries import TASK_ID_NAMESPACE, Task, group_on, tasks_for_chw

pytestmark = pytest.mark.django_db

BAMAKO = ZoneInfo("Africa/Bamako")
DAY0 = date(2026, 2, 10)
LMP = date(2025, 11, 4)  # 98 days before day 0


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def at(n: int, hour: int = 9) -> datetime:
    return datetime.combine(day(n), time(hour), tzinfo=BAMAKO)


def full_card(date_of_birth: date, on: date) -> dict[str, str]:
    """Every enabled dose given on its due date (a complete card)."""
    return {
        d.code: d.due_from_birth(date_of_birth).isoformat()
        for d in immunization.SCHEDULE
        if d.enabled and d.due_from_birth(date_of_birth) <= on
    }


def rows(tasks: list[Task]) -> list[tuple[str, str, str, date, date]]:
    return [(t.kind, t.person_name, t.status, t.due_from, t.due_by) for t in tasks]


def grouped(tasks: list[Task], on: date) -> list[tuple[str, str, str, str, date, date]]:
    return [(group_on(t, on), *row) for t, row in zip(tasks, rows(tasks), strict=True)]


class Scenario:
    def __init__(self, users, district, time_machine):
        self.users, self.time_machine = users, time_machine
        time_machine.move_to(at(0, 8), tick=False)
        chw = users.chw1
        a = register_household(
            by=chw,
            quartier=district.q1a,
            members=[
                person("Traoré", "Moussa", "M", date(1985, 3, 2), "head"),
                person("Diarra", "Awa", "F", date(1998, 6, 1), "spouse"),
                person("Traoré", "Fanta", "F", date(2024, 6, 15), "child"),
                person("Traoré", "Ibrahim", "M", date(2023, 1, 20), "child"),
                person("Traoré", "Seydou", "M", date(2018, 9, 1), "child"),
            ],
        )
        b = register_household(
            by=chw,
            quartier=district.q1a,
            members=[
                person("Coulibaly", "Mariam", "F", date(2000, 3, 3), "head"),
                person("Coulibaly", "Kadiatou", "F", DAY0, "child"),
            ],
        )
        named = {p.given_names: p for h in (a, b) for p in h.members.all()}
        self.code = {p.full_name: h.code for h in (a, b) for p in h.members.all()}
        self.awa, self.fanta, self.ibrahim = named["Awa"], named["Fanta"], named["Ibrahim"]
        self.seydou, self.kadiatou = named["Seydou"], named["Kadiatou"]
        time_machine.move_to(at(0, 9), tick=False)
        self.visit(self.awa, "pregnancy", measurements={"lmp": LMP.isoformat()})
        fanta_visit = self.visit(
            self.fanta,
            "sick_child",
            findings={
                "fever": True,
                "fever_days": 2,
                "rdt_result": "positive",
                "vaccines": full_card(self.fanta.date_of_birth, DAY0),
            },
            measurements={"muac_mm": 120},
        )
        assert (fanta_visit.action, fanta_visit.follow_up_days) == ("treat_at_home", 3)
        ibrahim_visit = self.visit(
            self.ibrahim,
            "sick_child",
            findings={"convulsions": True, "vaccines": full_card(self.ibrahim.date_of_birth, DAY0)},
        )
        self.referral = ibrahim_visit.referral
        self.visit(self.kadiatou, "postnatal")
        time_machine.move_to(at(0, 10), tick=False)
        self.convocation = convoke_family(
            by=users.clinician1, alert=fanta_visit.alerts.get(), appointment_date=day(7)
        )

    def visit(self, who, kind, findings=None, measurements=None):
        from django.utils import timezone

        return record_home_visit(
            by=self.users.chw1,
            person=who,
            kind=kind,
            visit_date=timezone.localdate(),
            findings=findings,
            measurements=measurements,
        )

    def tasks_on(self, n: int, hour: int = 12) -> list[Task]:
        """Travel to day n and read the CHW's list, after the scheduler's referral check."""
        self.time_machine.move_to(at(n, hour), tick=False)
        check_overdue_referrals()
        return tasks_for_chw(chw=self.users.chw1, on=day(n))


@pytest.fixture
def scenario(users, district, time_machine):
    return Scenario(users, district, time_machine)


# --- The scenario on day 0, 3, 30 and 45 -------------------------------------------------------

Q1_START, Q1_DUE_BY = date(2026, 1, 1), date(2026, 3, 25)
MARCH, MARCH_DUE_BY = date(2026, 3, 1), date(2026, 3, 25)


def test_day_0_the_convocation_is_for_today_then_the_week_then_later(scenario):
    assert grouped(scenario.tasks_on(0), day(0)) == [
        ("today", "convocation_relay", "Fanta Traoré", "due", day(0), day(6)),
        ("week", "referral_check", "Ibrahim Traoré", "upcoming", day(1), day(2)),
        ("week", "postnatal_contact", "Kadiatou Coulibaly", "upcoming", day(2), day(3)),
        ("week", "treat_at_home_follow_up", "Fanta Traoré", "upcoming", day(3), day(4)),
        ("later", "vaccine_due", "Kadiatou Coulibaly", "due", day(0), day(28)),
        ("later", "child_monthly_visit", "Seydou Traoré", "due", Q1_START, Q1_DUE_BY),
    ]


def test_day_3_the_urgent_tasks_come_first_then_the_overdue_referral(scenario):
    assert grouped(scenario.tasks_on(3), day(3)) == [
        ("today", "postnatal_contact", "Kadiatou Coulibaly", "due", day(2), day(3)),
        ("today", "treat_at_home_follow_up", "Fanta Traoré", "due", day(3), day(4)),
        ("today", "convocation_relay", "Fanta Traoré", "due", day(0), day(6)),
        ("overdue", "referral_check", "Ibrahim Traoré", "overdue", day(1), day(2)),
        ("later", "vaccine_due", "Kadiatou Coulibaly", "due", day(0), day(28)),
        ("later", "child_monthly_visit", "Seydou Traoré", "due", Q1_START, Q1_DUE_BY),
    ]


def test_day_30_march_visits_and_the_second_anc_contact_are_due(scenario):
    assert grouped(scenario.tasks_on(30), day(30)) == [
        ("overdue", "referral_check", "Ibrahim Traoré", "overdue", day(1), day(2)),
        ("overdue", "postnatal_contact", "Kadiatou Coulibaly", "overdue", day(7), day(14)),
        ("overdue", "vaccine_due", "Kadiatou Coulibaly", "overdue", day(0), day(28)),
        ("later", "anc_contact_due", "Awa Diarra", "due", day(28), day(42)),
        ("later", "child_monthly_visit", "Seydou Traoré", "due", Q1_START, Q1_DUE_BY),
        # same deadline: by household, then person (household B is Coulibaly)
        *sorted(
            [
                ("later", "child_monthly_visit", "Kadiatou Coulibaly", "due", MARCH, MARCH_DUE_BY),
                ("later", "child_monthly_visit", "Fanta Traoré", "due", MARCH, MARCH_DUE_BY),
                ("later", "child_monthly_visit", "Ibrahim Traoré", "due", MARCH, MARCH_DUE_BY),
            ],
            key=lambda row: (scenario.code[row[2]], row[2]),
        ),
    ]


def test_day_45_everything_left_undone_is_overdue(scenario):
    tasks = scenario.tasks_on(45)
    assert {group_on(t, day(45)) for t in tasks} == {"overdue"}
    assert rows(tasks)[:4] == [
        ("referral_check", "Ibrahim Traoré", "overdue", day(1), day(2)),
        ("postnatal_contact", "Kadiatou Coulibaly", "overdue", day(42), day(42)),
        ("vaccine_due", "Kadiatou Coulibaly", "overdue", day(0), day(28)),
        ("anc_contact_due", "Awa Diarra", "overdue", day(28), day(42)),
    ]
    assert sorted(rows(tasks)[4:]) == sorted(
        [
            ("child_monthly_visit", "Seydou Traoré", "overdue", Q1_START, Q1_DUE_BY),
            ("child_monthly_visit", "Kadiatou Coulibaly", "overdue", MARCH, MARCH_DUE_BY),
            ("child_monthly_visit", "Fanta Traoré", "overdue", MARCH, MARCH_DUE_BY),
            ("child_monthly_visit", "Ibrahim Traoré", "overdue", MARCH, MARCH_DUE_BY),
        ]
    )
    vaccines = next(t for t in tasks if t.kind == "vaccine_due")
    assert vaccines.title_fr == "Vaccins en retard (5 doses)"
    assert vaccines.detail_fr == (
        "En retard : BCG ; à faire : Penta 1, VPO 1, Pneumo 1, Rota 1. "
        "Vérifier la carte et orienter vers la séance du CSCom."
    )
    anc = next(t for t in tasks if t.kind == "anc_contact_due")
    assert anc.detail_fr.startswith("CPN 2 : 20 SA. Grossesse de 20 SA + 3 j")


def test_the_referral_task_keeps_its_id_when_it_becomes_find_the_family(scenario):
    before = next(t for t in scenario.tasks_on(0) if t.kind == "referral_check")
    after = next(t for t in scenario.tasks_on(3) if t.kind == "referral_check")
    assert before.title_fr == "Vérifier l'arrivée au centre de santé"
    assert after.title_fr == "Retrouver la famille : référence non honorée"
    expected = uuid.uuid5(TASK_ID_NAMESPACE, f"referral_check:{scenario.referral.pk}:{day(1)}")
    assert before.id == after.id == expected
    assert after.source == f"referral:{scenario.referral.pk}"
    assert after.household_id == scenario.ibrahim.household_id


def test_the_same_day_gives_the_same_list_and_ids(scenario):
    assert scenario.tasks_on(30) == scenario.tasks_on(30, hour=18)


# --- Resolution: the visit that does the task removes it -----------------------------------------


def kinds_for(tasks: list[Task], who) -> set[str]:
    return {t.kind for t in tasks if t.person_id == who.pk}


def test_the_follow_up_visit_resolves_the_follow_up_and_the_convocation_relay(scenario):
    scenario.time_machine.move_to(at(3, 11), tick=False)
    scenario.visit(scenario.fanta, "child_followup")
    assert kinds_for(scenario.tasks_on(3), scenario.fanta) == set()


def test_a_visit_before_the_convocation_does_not_count_as_relaying_it(scenario):
    # Fanta's day-0 visit was recorded at 9:00, the convocation at 10:00.
    assert "convocation_relay" in kinds_for(scenario.tasks_on(0), scenario.fanta)


def test_the_day_3_postnatal_visit_does_the_second_contact(scenario):
    scenario.time_machine.move_to(at(3, 11), tick=False)
    scenario.visit(scenario.kadiatou, "postnatal")
    tasks = [t for t in scenario.tasks_on(3) if t.kind == "postnatal_contact"]
    assert rows(tasks) == [("postnatal_contact", "Kadiatou Coulibaly", "upcoming", day(7), day(14))]


def test_recording_the_vaccination_card_resolves_the_vaccine_task(scenario):
    scenario.time_machine.move_to(at(3, 11), tick=False)
    scenario.visit(
        scenario.kadiatou,
        "child_followup",
        findings={"vaccines": {"BCG": day(1).isoformat(), "VPO0": day(1).isoformat()}},
    )
    assert "vaccine_due" not in kinds_for(scenario.tasks_on(3), scenario.kadiatou)
    # The 6-week doses appear a week before they are due.
    assert "vaccine_due" not in kinds_for(scenario.tasks_on(34), scenario.kadiatou)
    soon = [t for t in scenario.tasks_on(35) if t.kind == "vaccine_due"]
    assert rows(soon) == [("vaccine_due", "Kadiatou Coulibaly", "upcoming", day(42), day(70))]
    assert soon[0].title_fr == "Vaccins à faire (4 doses)"
    assert soon[0].detail_fr.startswith("À faire : Penta 1, VPO 1, Pneumo 1, Rota 1. ")


def test_a_pregnancy_visit_in_the_window_does_the_anc_contact(scenario):
    scenario.time_machine.move_to(at(31, 11), tick=False)
    scenario.visit(scenario.awa, "pregnancy")
    assert "anc_contact_due" not in kinds_for(scenario.tasks_on(31), scenario.awa)


def test_a_postnatal_visit_of_the_woman_ends_her_anc_tasks(scenario):
    scenario.time_machine.move_to(at(31, 11), tick=False)
    scenario.visit(scenario.awa, "postnatal")
    assert kinds_for(scenario.tasks_on(45), scenario.awa) == set()


def test_a_routine_visit_in_the_month_resolves_it_until_next_month(scenario):
    scenario.time_machine.move_to(at(30, 11), tick=False)
    scenario.visit(scenario.fanta, "child_followup")
    assert "child_monthly_visit" not in kinds_for(scenario.tasks_on(30), scenario.fanta)
    assert "child_monthly_visit" not in kinds_for(scenario.tasks_on(49), scenario.fanta)  # 31/03
    april = [
        t
        for t in scenario.tasks_on(50)
        if t.person_id == scenario.fanta.pk and t.kind == "child_monthly_visit"
    ]
    assert rows(april) == [
        ("child_monthly_visit", "Fanta Traoré", "due", date(2026, 4, 1), date(2026, 4, 25))
    ]


def test_the_arrival_at_the_cscom_resolves_the_referral_check(scenario):
    scenario.time_machine.move_to(at(0, 15), tick=False)
    mark_arrived(by=scenario.users.clinician1, referral=scenario.referral)
    assert "referral_check" not in kinds_for(scenario.tasks_on(3), scenario.ibrahim)


def test_a_not_arrived_referral_stays_until_the_chw_visits_again(scenario):
    assert "referral_check" in kinds_for(scenario.tasks_on(3), scenario.ibrahim)
    scenario.time_machine.move_to(at(4, 8), tick=False)
    scenario.visit(scenario.ibrahim, "child_followup")
    assert "referral_check" not in kinds_for(scenario.tasks_on(4), scenario.ibrahim)


def test_a_deceased_child_has_no_tasks(scenario):
    scenario.time_machine.move_to(at(20), tick=False)
    record_death(by=scenario.users.chw1, person=scenario.seydou, date_of_death=day(20))
    assert kinds_for(scenario.tasks_on(30), scenario.seydou) == set()


def test_a_voided_lmp_no_longer_dates_the_pregnancy(scenario):
    from keneya.visits.services import void_observation

    lmp = Observation.objects.get(person=scenario.awa, code="lmp")
    void_observation(by=scenario.users.chw1, observation=lmp, reason="Erreur de saisie")
    assert kinds_for(scenario.tasks_on(30), scenario.awa) == set()


def test_a_birth_date_corrected_after_a_visit_does_not_break_the_list(scenario):
    from keneya.people.services import update_person

    scenario.time_machine.move_to(at(3, 11), tick=False)
    update_person(
        by=scenario.users.chw1, person=scenario.kadiatou, changes={"date_of_birth": day(1)}
    )  # after her day-0 postnatal visit
    tasks = [t for t in scenario.tasks_on(3) if t.person_id == scenario.kadiatou.pk]
    assert rows(tasks) == [
        ("postnatal_contact", "Kadiatou Coulibaly", "due", day(3), day(4)),
        ("vaccine_due", "Kadiatou Coulibaly", "due", day(1), day(29)),
    ]


# --- Scope -------------------------------------------------------------------------------------


def test_another_chw_never_sees_these_tasks(scenario, users, district):
    other = register_household(
        by=users.chw2,
        quartier=district.q2a,
        members=[
            person("Keïta", "Bintou", "F", date(1995, 1, 1), "head"),
            person("Keïta", "Oumou", "F", date(2025, 1, 5), "child"),
        ],
    )
    mine = scenario.tasks_on(30)
    theirs = tasks_for_chw(chw=users.chw2, on=day(30))
    their_people = set(other.members.values_list("pk", flat=True))
    assert theirs and {t.person_id for t in theirs} <= their_people
    assert not {t.person_id for t in mine} & their_people
    assert tasks_for_chw(chw=users.clinician1, on=day(30)) == []


# --- Performance -------------------------------------------------------------------------------


def _zone(chw, quartier, households: int) -> None:
    for i in range(households):
        tag = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i]  # names may not hold digits
        h = register_household(
            by=chw,
            quartier=quartier,
            members=[
                person("Sangaré", f"Parent {tag}", "F", date(1990, 1, 1), "head"),
                person("Sangaré", f"Enfant {tag}", "M", date(2024, 1, 1) + timedelta(days=i), "child"),
                person("Sangaré", f"Grand {tag}", "F", date(2016, 1, 1), "child"),
            ],
        )
        child = h.members.get(given_names=f"Enfant {tag}")
        visit = record_home_visit(
            by=chw,
            person=child,
            kind="sick_child",
            visit_date=DAY0,
            findings={"convulsions": True} if i % 3 == 0 else {"fever": True, "rdt_result": "positive"},
            measurements={"muac_mm": 135},
        )
        assert visit.action in ("urgent_referral", "treat_at_home")
        add_member(by=chw, household=h, data=person("Sangaré", f"Bébé {tag}", "F", DAY0))
        mother = h.members.get(given_names=f"Parent {tag}")
        record_home_visit(
            by=chw, person=mother, kind="pregnancy", visit_date=DAY0, measurements={"lmp": LMP.isoformat()}
        )


def test_the_list_takes_seven_queries_whatever_the_number_of_households(users, district, time_machine):
    time_machine.move_to(at(0), tick=False)
    _zone(users.chw1, district.q1a, 2)
    _zone(users.chw2, district.q2a, 12)
    counts = []
    for chw in (users.chw1, users.chw2):
        with CaptureQueriesContext(connection) as ctx:
            tasks = tasks_for_chw(chw=chw, on=day(3))
        counts.append(len(ctx.captured_queries))
        assert tasks
    assert counts == [7, 7]


# --- API ---------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_returns_the_tasks_of_the_day_asked(scenario, users):
    expected = scenario.tasks_on(3)  # day 3, after the 24 h referral check
    response = api(users.chw1).get("/api/v1/tasks/", {"on": day(3).isoformat()})
    assert response.status_code == 200
    data = response.json()
    assert data["on"] == "2026-02-13"
    assert [t["id"] for t in data["tasks"]] == [str(t.id) for t in expected]
    first = next(t for t in data["tasks"] if t["kind"] == "referral_check")
    assert set(data) == {"on", "tasks"}  # no paging asked: the whole list, as the tablets read it
    assert first == {
        "id": str(uuid.uuid5(TASK_ID_NAMESPACE, f"referral_check:{scenario.referral.pk}:{day(1)}")),
        "kind": "referral_check",
        "person_id": str(scenario.ibrahim.pk),
        "household_id": str(scenario.ibrahim.household_id),
        "person_name": "Ibrahim Traoré",
        "household_code": scenario.ibrahim.household.code,
        "title_fr": "Retrouver la famille : référence non honorée",
        "due_from": "2026-02-11",
        "due_by": "2026-02-12",
        "status": "overdue",
        "detail_fr": first["detail_fr"],
        "source": f"referral:{scenario.referral.pk}",
    }
    assert first["detail_fr"].startswith("Pas arrivé·e à CSCom ASACOLA I (référé·e le 10/02/2026)")


def test_api_defaults_to_today(scenario, users):
    scenario.time_machine.move_to(at(30), tick=False)
    data = api(users.chw1).get("/api/v1/tasks/").json()
    assert data["on"] == "2026-03-12" and len(data["tasks"]) == 8


@pytest.mark.parametrize("value", ["13/02/2026", "2026-02-30", "demain", "20260213"])
def test_api_refuses_a_bad_date_in_french(users, value):
    response = api(users.chw1).get("/api/v1/tasks/", {"on": value})
    assert response.status_code == 400
    assert response.json() == {
        "on": ["Date invalide : utilisez le format AAAA-MM-JJ (par exemple 2026-03-02)."]
    }


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_api_refuses_a_date_more_than_a_year_away(users, value):
    response = api(users.chw1).get("/api/v1/tasks/", {"on": value})
    assert response.status_code == 400
    assert response.json() == {"on": ["La date doit être à moins d'un an d'aujourd'hui."]}


def test_api_is_for_chws_only(users):
    assert api(users.clinician1).get("/api/v1/tasks/").status_code == 403
    assert api(users.me).get("/api/v1/tasks/").status_code == 403
    assert APIClient().get("/api/v1/tasks/").status_code in (401, 403)


def test_api_filters_by_kind_and_household(scenario, users):
    expected = scenario.tasks_on(30)
    client = api(users.chw1)
    on = day(30).isoformat()
    data = client.get("/api/v1/tasks/", {"on": on, "kind": "child_monthly_visit"}).json()
    assert [t["id"] for t in data["tasks"]] == [
        str(t.id) for t in expected if t.kind == "child_monthly_visit"
    ]
    household = scenario.kadiatou.household_id
    data = client.get("/api/v1/tasks/", {"on": on, "household": str(household)}).json()
    assert [t["id"] for t in data["tasks"]] == [str(t.id) for t in expected if t.household_id == household]
    assert client.get("/api/v1/tasks/", {"on": on, "household": str(uuid.uuid4())}).json()["tasks"] == []


def test_api_pages_only_when_asked(scenario, users):
    expected = [str(t.id) for t in scenario.tasks_on(30)]
    client = api(users.chw1)
    first = client.get("/api/v1/tasks/", {"on": day(30).isoformat(), "page_size": "3"}).json()
    assert first["count"] == len(expected) == 8 and first["previous"] is None
    assert [t["id"] for t in first["tasks"]] == expected[:3]
    assert "page=2" in first["next"] and "page_size=3" in first["next"]
    last = client.get("/api/v1/tasks/", {"on": day(30).isoformat(), "page_size": "3", "page": "3"}).json()
    assert [t["id"] for t in last["tasks"]] == expected[6:] and last["next"] is None
    beyond = client.get("/api/v1/tasks/", {"on": day(30).isoformat(), "page": "9"})
    assert beyond.status_code == 404


@pytest.mark.parametrize(
    "params, body",
    [
        ({"kind": "vaccins"}, {"kind": ["Type de tâche inconnu."]}),
        ({"household": "LAF-123"}, {"household": ["Identifiant de ménage invalide."]}),
    ],
)
def test_api_refuses_a_bad_filter_in_french(users, params, body):
    response = api(users.chw1).get("/api/v1/tasks/", params)
    assert response.status_code == 400 and response.json() == body


# --- Page --------------------------------------------------------------------------------------


def test_the_page_lists_the_tasks_in_french_with_links_to_the_person(scenario, users, client):
    scenario.time_machine.move_to(at(30), tick=False)
    check_overdue_referrals()
    client.force_login(users.chw1)
    response = client.get("/taches/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Mes tâches" in html and "8 tâches" in html
    assert "En retard (3)" in html and "Plus tard (5)" in html
    assert "Aujourd&#x27;hui (" not in html and "Cette semaine (" not in html
    assert f'href="/personnes/{scenario.ibrahim.pk}/"' in html
    assert "Retrouver la famille : référence non honorée" in html
    assert 'class="task overdue"' in html
    assert "jeudi 12 mars 2026" in html


def test_the_page_says_when_there_is_nothing_to_do(users, client):
    client.force_login(users.chw2)
    response = client.get("/taches/")
    assert response.status_code == 200
    assert "Aucune tâche pour le moment" in response.content.decode()


def test_the_page_is_refused_to_a_clinician(users, client):
    client.force_login(users.clinician1)
    assert client.get("/taches/").status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width, height", [(360, 640), (800, 1280)])
def test_the_page_fits_phone_and_tablet_screens(
    page, live_server, settings, users, district, time_machine, width, height
):
    # The browser's clock is the real one: cookies must not expire at the frozen date.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.CSRF_COOKIE_AGE = None
    scenario = Scenario(users, district, time_machine)
    time_machine.move_to(at(30), tick=True)
    check_overdue_referrals()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/comptes/connexion/")
    page.fill("#id_username", "relais01")
    page.fill("#id_password", "Mot-de-passe-test-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/taches/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    heights = page.eval_on_selector_all(".task a", "els => els.map(e => e.offsetHeight)")
    assert len(heights) == 8 and min(heights) >= 44
    assert (
        page.eval_on_selector(".task.overdue a", "e => getComputedStyle(e).borderLeftColor")
        == "rgb(179, 38, 30)"
    )  # --red
    artifacts = Path(__file__).resolve().parents[3] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / f"tasks-{width}px.png"), full_page=True)
    page.click("text=Retrouver la famille")
    page.wait_for_url(f"{live_server.url}/personnes/{scenario.ibrahim.pk}/")


# --- The vaccination card stored with a visit --------------------------------------------------


def test_the_card_is_stored_as_vaccine_observations_and_not_seen_by_the_engine(scenario):
    codes = dict(
        Observation.objects.filter(person=scenario.fanta, code__startswith="vaccine:").values_list(
            "code", "value_date"
        )
    )
    assert codes["vaccine:PENTA1"] == date(2024, 7, 27)  # 42 days after birth
    assert codes["vaccine:RR2"] == date(2025, 9, 15)
    assert len(codes) == len(full_card(scenario.fanta.date_of_birth, DAY0))
    assert not Observation.objects.filter(person=scenario.fanta, code="vaccines").exists()


def test_an_older_dose_name_is_stored_under_the_schedule_code(scenario):
    scenario.time_machine.move_to(at(3, 11), tick=False)
    alias = next(old for old, new in immunization.ALIASES.items() if new == "RR1")
    scenario.visit(scenario.ibrahim, "child_followup", findings={"vaccines": {alias: "2023-10-20"}})
    assert Observation.objects.filter(
        person=scenario.ibrahim, code="vaccine:RR1", value_date=date(2023, 10, 20)
    ).exists()


@pytest.mark.parametrize(
    "card, message",
    [
        ({"XYZ": "2026-02-01"}, "Dose de vaccin inconnue : XYZ."),
        ({"BCG": "01/02/2026"}, "BCG : date invalide (AAAA-MM-JJ)."),
        ({"BCG": "2026-02-20"}, "BCG : la date doit être entre la naissance et la visite."),
        (["BCG"], "La carte de vaccination doit associer chaque dose à sa date."),
    ],
)
def test_a_bad_card_is_refused_and_nothing_is_stored(scenario, card, message):
    scenario.time_machine.move_to(at(3, 11), tick=False)
    before = Observation.objects.count()
    with pytest.raises(ValidationError) as error:
        scenario.visit(scenario.kadiatou, "child_followup", findings={"vaccines": card})
    assert error.value.message_dict == {"vaccines": [message]}
    assert Observation.objects.count() == before


# --- The page: filters, pages, queries ----------------------------------------------------------


@pytest.fixture
def busy_zone(users, district, time_machine):
    """relais01 with 12 households of the performance zone: about 90 tasks on day 3."""
    time_machine.move_to(at(0), tick=False)
    _zone(users.chw1, district.q1a, 12)
    time_machine.move_to(at(3, 12), tick=False)
    check_overdue_referrals()
    return tasks_for_chw(chw=users.chw1, on=day(3))


def task_items(html: str) -> list[str]:
    """The data-kind of each task card of the page, in order."""
    import re

    return re.findall(r'<li class="task \w+" data-kind="(\w+)"', html)


def test_the_page_shows_25_tasks_a_page_in_the_list_order(busy_zone, users, client):
    from keneya.worklist.views import PAGE_SIZE

    assert len(busy_zone) > 2 * PAGE_SIZE
    client.force_login(users.chw1)
    pages, number = [], 1
    while True:
        html = client.get("/taches/", {"page": number}).content.decode()
        pages.append(task_items(html))
        if 'rel="next"' not in html:
            break
        assert f'href="?page={number + 1}"' in html
        number += 1
    assert [len(p) for p in pages[:-1]] == [PAGE_SIZE] * (len(pages) - 1)
    assert [k for p in pages for k in p] == [t.kind for t in busy_zone]
    assert f"Page 2 sur {len(pages)}" in client.get("/taches/", {"page": 2}).content.decode()
    # a page past the end or not a number: the last or the first page, never an error
    assert task_items(client.get("/taches/", {"page": 999}).content.decode()) == pages[-1]
    assert task_items(client.get("/taches/", {"page": "x"}).content.decode()) == pages[0]


def test_the_headings_give_each_group_total_and_continue_on_the_next_page(busy_zone, users, client):
    from collections import Counter

    totals = Counter(group_on(t, day(3)) for t in busy_zone)
    client.force_login(users.chw1)
    html = client.get("/taches/").content.decode()
    first_group = group_on(busy_zone[0], day(3))
    label = {
        "today": "Aujourd&#x27;hui",
        "overdue": "En retard",
        "week": "Cette semaine",
        "later": "Plus tard",
    }
    assert f'id="groupe-{first_group}">{label[first_group]} ({totals[first_group]})' in html
    for group, total in totals.items():
        assert f"{label[group]} : {total}</a>" in html  # the summary links to each group's page
    second = client.get("/taches/", {"page": 2}).content.decode()
    if group_on(busy_zone[24], day(3)) == group_on(busy_zone[25], day(3)):
        assert "(suite)" in second.split("</h2>")[0]


def test_the_kind_filter_keeps_only_that_kind_and_the_pages_keep_the_filter(busy_zone, users, client):
    client.force_login(users.chw1)
    vaccines = [t for t in busy_zone if t.kind == "vaccine_due"]
    html = client.get("/taches/", {"type": "vaccine_due"}).content.decode()
    assert task_items(html) == ["vaccine_due"] * min(len(vaccines), 25)
    assert f"{len(vaccines)} tâches correspondent au filtre" in html
    assert '<option value="vaccine_due" selected>Vaccins (' in html
    visits = [t for t in busy_zone if t.kind == "child_monthly_visit"]
    html = client.get("/taches/", {"type": "child_monthly_visit"}).content.decode()
    if len(visits) > 25:
        assert 'href="?type=child_monthly_visit&amp;page=2"' in html


def test_the_household_filter_keeps_that_households_tasks(busy_zone, users, client):
    client.force_login(users.chw1)
    household = busy_zone[0].household_id
    theirs = [t for t in busy_zone if t.household_id == household]
    html = client.get("/taches/", {"menage": str(household)}).content.decode()
    assert task_items(html) == [t.kind for t in theirs]
    assert f'<option value="{household}" selected>' in html
    assert f"{len(theirs)} tâches correspondent au filtre" in html
    both = client.get("/taches/", {"menage": str(household), "type": theirs[0].kind}).content.decode()
    assert task_items(both) == [t.kind for t in theirs if t.kind == theirs[0].kind]


def test_a_bad_or_foreign_filter_is_no_error_and_reveals_nothing(busy_zone, users, district, client):
    other = register_household(
        by=users.chw2,
        quartier=district.q2a,
        members=[person("Keïta", "Bintou", "F", date(1995, 1, 1), "head")],
    )
    client.force_login(users.chw1)
    everything = task_items(client.get("/taches/").content.decode())
    assert task_items(client.get("/taches/", {"type": "<script>"}).content.decode()) == everything
    assert task_items(client.get("/taches/", {"menage": "pas-un-id"}).content.decode()) == everything
    foreign = client.get("/taches/", {"menage": str(other.pk)})
    unknown = client.get("/taches/", {"menage": str(uuid.uuid4())})
    assert foreign.status_code == unknown.status_code == 200
    assert task_items(foreign.content.decode()) == task_items(unknown.content.decode()) == []
    assert "Aucune tâche ne correspond à ce filtre." in foreign.content.decode()
    assert "Keïta" not in foreign.content.decode()


def test_the_links_of_the_page_carry_codes_only(busy_zone, users, client):
    import re
    from urllib.parse import parse_qsl, unquote

    client.force_login(users.chw1)
    household = busy_zone[0].household_id
    html = client.get("/taches/", {"menage": str(household), "type": busy_zone[0].kind}).content.decode()
    html += client.get("/taches/").content.decode()
    for query in re.findall(r'href="\?([^"#]*)', html):
        for key, value in parse_qsl(unquote(query.replace("&amp;", "&"))):
            assert key in {"type", "menage", "page"}
            assert re.fullmatch(r"[a-z_]+|[0-9a-f-]{36}|\d+", value), value


def test_the_page_costs_the_same_queries_on_any_page_and_any_zone(users, district, time_machine, client):
    time_machine.move_to(at(0), tick=False)
    _zone(users.chw1, district.q1a, 2)
    _zone(users.chw2, district.q2a, 12)
    time_machine.move_to(at(3, 12), tick=False)
    counts = []
    for chw, page in ((users.chw1, 1), (users.chw2, 1), (users.chw2, 2), (users.chw2, 3)):
        client.force_login(chw)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/taches/", {"page": page}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert len(set(counts)) == 1, counts


def test_the_page_stays_within_its_query_budget(busy_zone, users, client, django_assert_max_num_queries):
    client.force_login(users.chw1)
    # session, user, the worklist's seven reads, the households' names; nothing per task or page
    with django_assert_max_num_queries(10):
        client.get("/taches/", {"page": 2, "type": "child_monthly_visit"})
    with django_assert_max_num_queries(10):
        client.get("/taches/", {"page": 3})
