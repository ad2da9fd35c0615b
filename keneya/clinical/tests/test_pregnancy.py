"""Pregnancy, postpartum and newborn (clinical-rules.md 4 and 1.6), table by table."""

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keneya.clinical.pregnancy import (
    CONTACT_STATUSES,
    POSTPARTUM_DANGER_SIGNS,
    POSTPARTUM_SAME_DAY_SIGNS,
    PREGNANCY_DANGER_SIGNS,
    PregnancyConfig,
    anc_schedule,
    assess_newborn,
    assess_postpartum,
    assess_pregnancy,
    gestational_age,
    postnatal_schedule,
)

LMP = date(2025, 1, 6)
DELIVERY = date(2025, 6, 1)


def day(n, start=LMP):
    return start + timedelta(days=n)


def statuses(schedule):
    return {c.code: c.status for c in schedule.contacts}


# --- 4.1 dating -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "weeks", "extra"),
    [(0, 0, 0), (6, 0, 6), (7, 1, 0), (83, 11, 6), (84, 12, 0), (279, 39, 6), (280, 40, 0), (308, 44, 0)],
)
def test_gestational_age_is_floor_of_days_over_7(days, weeks, extra):
    ga = gestational_age(on=day(days), lmp=LMP)
    assert (ga.days, ga.weeks, ga.extra_days) == (days, weeks, extra)
    assert ga.edd == LMP + timedelta(days=280)


def test_a_given_edd_overrides_the_lmp():
    ga = gestational_age(on=day(100), lmp=day(-10), edd=day(280))
    assert ga.lmp == LMP and ga.weeks == 14


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"on": day(-1), "lmp": LMP}, "on"),
        ({"on": day(309), "lmp": LMP}, "on"),  # beyond 44 weeks: the pregnancy has ended
        ({"on": LMP}, "lmp"),
        ({"on": LMP, "lmp": "2025-01-06"}, "lmp"),
        ({"on": LMP, "edd": 280}, "edd"),
    ],
)
def test_invalid_dating_raises_value_error(kwargs, field):
    with pytest.raises(ValueError, match=field):
        gestational_age(**kwargs)


# --- 4.1 the 8 ANC contacts -----------------------------------------------------------------


def test_contact_targets_are_the_who_weeks():
    s = anc_schedule(on=LMP, lmp=LMP)
    assert [(c.target_date - LMP).days // 7 for c in s.contacts] == [12, 20, 26, 30, 34, 36, 38, 40]
    assert s.post_term_check_date == day(287)  # 41 weeks


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, {"ANC1": "due", "ANC2": "upcoming"}),
        (84, {"ANC1": "due"}),  # "up to 12 weeks"
        (85, {"ANC1": "overdue"}),
        (125, {"ANC1": "overdue", "ANC2": "upcoming"}),
        (126, {"ANC1": "missed", "ANC2": "due"}),  # contact 2 due from 18 weeks
        (140, {"ANC2": "due"}),  # 20 weeks
        (141, {"ANC2": "overdue"}),
        (168, {"ANC2": "missed", "ANC3": "due"}),
        (238, {"ANC5": "due"}),  # 34 weeks
        (239, {"ANC5": "missed", "ANC6": "due"}),
        (280, {"ANC7": "missed", "ANC8": "due"}),  # 40 weeks
        (281, {"ANC8": "overdue"}),
        (287, {"ANC8": "overdue"}),  # return at 41 weeks
        (288, {"ANC8": "missed"}),
    ],
)
def test_anc_contact_status_by_gestational_age(days, expected):
    got = statuses(anc_schedule(on=day(days), lmp=LMP))
    assert {k: got[k] for k in expected} == expected


def test_a_late_first_contact_still_counts_as_contact_1():
    s = anc_schedule(on=day(115), lmp=LMP, contacts_done=[day(112)])  # 16 weeks
    assert statuses(s)["ANC1"] == "done"
    assert s.next_contact is not None and s.next_contact.code == "ANC2"


def test_a_first_contact_at_18_weeks_is_contact_2():
    got = statuses(anc_schedule(on=day(130), lmp=LMP, contacts_done=[day(126)]))
    assert (got["ANC1"], got["ANC2"], got["ANC3"]) == ("missed", "done", "upcoming")


def test_two_contacts_in_one_window_count_once():
    s = anc_schedule(on=day(100), lmp=LMP, contacts_done=[day(80), day(60)])
    assert s.contacts[0].done_on == day(60)
    assert s.extra_contacts == (day(80),)


def test_eight_contacts_on_time():
    done = [day(7 * w) for w in (10, 20, 26, 30, 34, 36, 38, 40)]
    s = anc_schedule(on=day(285), lmp=LMP, contacts_done=done)
    assert set(statuses(s).values()) == {"done"}
    assert s.next_contact is None


def test_the_schedule_is_a_setting():
    cfg = PregnancyConfig(anc_contact_weeks=(16, 26, 32, 36))  # e.g. 4 CPN
    s = anc_schedule(on=day(200), lmp=LMP, contacts_done=[day(90)], config=cfg)
    assert [c.code for c in s.contacts] == ["ANC1", "ANC2", "ANC3", "ANC4"]
    assert statuses(s)["ANC2"] == "overdue"


@pytest.mark.parametrize(
    ("done", "field"),
    [
        ([day(101)], "contacts_done"),
        ([day(-3)], "contacts_done"),
        (["2025-02-01"], "contacts_done"),
        (day(10), "contacts_done"),
    ],
)
def test_invalid_contacts_raise_value_error(done, field):
    with pytest.raises(ValueError, match=field):
        anc_schedule(on=day(100), lmp=LMP, contacts_done=done)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"anc_contact_weeks": (20, 12)},
        {"anc_contact_weeks": ()},
        {"anc_contact_weeks": [12]},
        {"anc_due_window_days": -1},
        {"national_additions": "yes"},
    ],
)
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        PregnancyConfig(**kwargs)


# --- 4.3 postnatal contacts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, {"PNC1": "due"}),
        (1, {"PNC1": "due"}),  # within 24 h
        (2, {"PNC1": "missed", "PNC2": "due"}),
        (3, {"PNC2": "due"}),  # day 3 (48-72 h)
        (4, {"PNC2": "overdue"}),
        (6, {"PNC2": "overdue"}),
        (7, {"PNC2": "missed", "PNC3": "due"}),
        (14, {"PNC3": "due"}),  # days 7-14
        (15, {"PNC3": "overdue"}),
        (41, {"PNC3": "overdue", "PNC4": "upcoming"}),
        (42, {"PNC3": "missed", "PNC4": "due"}),  # 6 weeks
        (56, {"PNC4": "overdue"}),
        (57, {"PNC4": "missed"}),
    ],
)
def test_postnatal_contact_status_by_day(days, expected):
    got = statuses(postnatal_schedule(delivery_date=DELIVERY, on=day(days, DELIVERY)))
    assert {k: got[k] for k in expected} == expected


def test_late_pnc2_counts_and_second_visit_on_day_1_is_extra():
    s = postnatal_schedule(
        delivery_date=DELIVERY,
        on=day(8, DELIVERY),
        contacts_done=[day(0, DELIVERY), day(1, DELIVERY), day(5, DELIVERY)],
    )
    assert statuses(s) == {"PNC1": "done", "PNC2": "done", "PNC3": "due", "PNC4": "upcoming"}
    assert s.extra_contacts == (day(1, DELIVERY),)
    assert json.dumps(s.as_dict())


def test_postnatal_invalid_input():
    with pytest.raises(ValueError, match="on"):
        postnatal_schedule(delivery_date=DELIVERY, on=day(-1, DELIVERY))
    with pytest.raises(ValueError, match="contacts_done"):
        postnatal_schedule(delivery_date=DELIVERY, on=day(5, DELIVERY), contacts_done=[day(6, DELIVERY)])


# --- 4.2, 4.4, 4.5 danger signs -------------------------------------------------------------


@pytest.mark.parametrize("sign", PREGNANCY_DANGER_SIGNS)
def test_any_pregnancy_danger_sign_means_urgent_referral(sign):
    a = assess_pregnancy({sign: True})
    assert a.urgent_referral is True and a.action == "urgent_referral"
    assert a.danger_signs == {sign}
    assert a.reasons[0].rule == f"PREGNANCY.DANGER.{sign.upper()}"


def test_no_pregnancy_sign_is_routine_care():
    a = assess_pregnancy({sign: False for sign in PREGNANCY_DANGER_SIGNS})
    assert (a.urgent_referral, a.action) == (False, "routine_care")


@pytest.mark.parametrize("sign", ["swelling_face_or_hands", "leaking_fluid", "reduced_fetal_movements"])
def test_national_additions_are_a_setting(sign):
    assert assess_pregnancy({sign: True}).urgent_referral is True
    off = PregnancyConfig(national_additions=False)
    assert assess_pregnancy({sign: True}, off).urgent_referral is False


@pytest.mark.parametrize("sign", POSTPARTUM_DANGER_SIGNS)
def test_postpartum_urgent_signs(sign):
    a = assess_postpartum({sign: True})
    assert (a.urgent_referral, a.action, a.danger_signs) == (True, "urgent_referral", {sign})


@pytest.mark.parametrize("sign", POSTPARTUM_SAME_DAY_SIGNS)
def test_postpartum_same_day_signs(sign):
    a = assess_postpartum({sign: True})
    assert (a.urgent_referral, a.action, a.same_day_signs) == (False, "same_day_visit", {sign})


def test_urgent_wins_over_same_day():
    a = assess_postpartum({"heavy_vaginal_bleeding": True, "foul_smelling_lochia": True})
    assert a.action == "urgent_referral"
    assert a.same_day_signs == {"foul_smelling_lochia"}
    assert json.dumps(a.as_dict())


@pytest.mark.parametrize(
    ("function", "findings", "field"),
    [
        (assess_pregnancy, {"bleeding": True}, "bleeding"),
        (assess_pregnancy, {"fever": "yes"}, "fever"),
        (assess_postpartum, {"vaginal_bleeding": True}, "vaginal_bleeding"),
        (assess_postpartum, [("fever", True)], "findings"),
    ],
)
def test_invalid_signs_raise_value_error(function, findings, field):
    with pytest.raises(ValueError, match=field):
        function(findings)


@pytest.mark.parametrize(
    ("days", "findings", "signs", "action"),
    [
        (0, {"jaundice_first_24h": True}, {"jaundice_severe"}, "urgent_referral"),
        (3, {"temperature_c": 35.4}, {"low_temperature_35_5"}, "urgent_referral"),
        (3, {"temperature_c": 35.5}, set(), "advise_only"),
        (10, {"respiratory_rate": 60}, {"fast_breathing_60"}, "urgent_referral"),
        (7, {"skin_pustules": True}, set(), "non_urgent_referral"),
        (59, {"convulsions": True}, {"convulsions"}, "urgent_referral"),
    ],
)
def test_newborn_danger_signs_are_the_young_infant_signs(days, findings, signs, action):
    a = assess_newborn(date_of_birth=DELIVERY, visit_date=day(days, DELIVERY), findings=findings)
    assert a.danger_signs == signs
    assert a.action == action


def test_newborn_rules_stop_at_59_days():
    with pytest.raises(ValueError, match="visit_date"):
        assess_newborn(date_of_birth=DELIVERY, visit_date=day(60, DELIVERY), findings={"convulsions": True})


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=200)
@given(
    lmp=st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 1, 1)),
    on=st.integers(0, 308),
    done=st.lists(st.integers(0, 308), max_size=12),
)
def test_any_valid_anc_history_is_scheduled(lmp, on, done):
    visits = [lmp + timedelta(days=d) for d in done if d <= on]
    s = anc_schedule(on=lmp + timedelta(days=on), lmp=lmp, contacts_done=visits)
    assert all(c.status in CONTACT_STATUSES for c in s.contacts)
    assert sum(c.status == "done" for c in s.contacts) + len(s.extra_contacts) == len(visits)
    assert sum(c.status in ("due", "overdue") for c in s.contacts) <= 1
    windows = [(c.due_from, c.overdue_until) for c in s.contacts]
    assert all(a[1] + timedelta(days=1) == b[0] for a, b in zip(windows, windows[1:], strict=False))


@settings(max_examples=200)
@given(
    delivery=st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 1, 1)),
    on=st.integers(0, 400),
    done=st.lists(st.integers(0, 400), max_size=8),
)
def test_any_valid_postnatal_history_is_scheduled(delivery, on, done):
    visits = [delivery + timedelta(days=d) for d in done if d <= on]
    s = postnatal_schedule(delivery_date=delivery, on=delivery + timedelta(days=on), contacts_done=visits)
    assert sum(c.status == "done" for c in s.contacts) + len(s.extra_contacts) == len(visits)
    assert sum(c.status in ("due", "overdue") for c in s.contacts) <= 1


@given(
    signs=st.lists(st.sampled_from(PREGNANCY_DANGER_SIGNS), unique=True),
    extra=st.sampled_from(PREGNANCY_DANGER_SIGNS),
)
def test_one_more_pregnancy_sign_never_lowers_urgency(signs, extra):
    before = assess_pregnancy(dict.fromkeys(signs, True))
    after = assess_pregnancy(dict.fromkeys([*signs, extra], True))
    assert after.urgent_referral >= before.urgent_referral
    assert after.urgent_referral is True


def test_tablet_vectors_are_strict_json_and_cover_the_boundaries():
    from keneya.clinical.vectors import pregnancy as vectors_pregnancy

    document = vectors_pregnancy.generate()
    json.dumps(document, allow_nan=False)  # the tablet parses it with JSON.parse
    names = [case["name"] for case in document["cases"]]
    assert len(names) == len(set(names))
    assert sum(name.startswith("random_") for name in names) >= 150
