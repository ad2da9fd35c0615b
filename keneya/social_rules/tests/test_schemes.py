"""The schemes' state machines: every allowed and refused transition, with the guards."""

from __future__ import annotations

from datetime import date

import pytest

from keneya.social_rules import schemes
from keneya.social_rules.schemes import DocumentState, TransitionError

RAMED_PATH = [
    "identified",
    "request_filed",
    "social_survey_assigned",
    "social_survey_done",
    "certificate_granted",
    "file_complete",
    "submitted_to_anam",
    "card_issued",
]
SUPPLIED = [DocumentState("Awa Traoré", "residence_certificate", "verified")]
CARD = {"card_number": "RAMED-2026-001", "valid_from": date(2026, 3, 12), "valid_until": date(2029, 3, 11)}


@pytest.mark.parametrize("code", ["ramed", "mutuelle", "amo", "ramu"])
def test_every_scheme_has_a_consistent_state_machine(code):
    info = schemes.scheme(code)
    statuses = {s["code"] for s in info["statuses"]}
    assert info["initial"] in statuses
    for origin, targets in info["transitions"].items():
        assert origin in statuses and not schemes.is_final(code, origin)
        assert set(targets) <= statuses
    for status in statuses:
        if not schemes.is_final(status=status, scheme_code=code):
            assert schemes.allowed_transitions(code, status), f"{code}.{status} is a dead end"
    assert info["source"]


def test_the_ramed_path_walks_to_the_card():
    for current, target in zip(RAMED_PATH, RAMED_PATH[1:], strict=False):
        schemes.check_transition("ramed", current, target, documents=SUPPLIED, data=CARD)


@pytest.mark.parametrize(
    ("current", "target"),
    [("identified", "card_issued"), ("request_filed", "file_complete"), ("card_issued", "closed")],
)
def test_a_transition_the_scheme_does_not_allow_is_refused(current, target):
    with pytest.raises(TransitionError):
        schemes.check_transition("ramed", current, target, documents=SUPPLIED, data=CARD)


def test_missing_documents_block_the_complete_file_and_name_the_person():
    documents = [
        DocumentState("Awa Traoré", "residence_certificate", "missing"),
        DocumentState("Awa Traoré", "birth_certificate", "obtained", substitute="jugement_suppletif"),
    ]
    with pytest.raises(TransitionError) as refused:
        schemes.check_transition("ramed", "certificate_granted", "file_complete", documents=documents)
    assert refused.value.message == "pièces manquantes : certificat de résidence (Awa Traoré)"
    assert refused.value.missing == ["certificat de résidence (Awa Traoré)"]


def test_refusal_and_closing_need_no_document():
    documents = [DocumentState("Awa Traoré", "residence_certificate", "missing")]
    schemes.check_transition("ramed", "social_survey_done", "refused", documents=documents)
    schemes.check_transition("ramed", "certificate_granted", "closed", documents=documents)


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ({}, "numéro de carte"),
        ({**CARD, "valid_until": None}, "date de fin de validité"),
        ({**CARD, "valid_until": date(2029, 6, 1)}, "date de fin de validité"),  # more than 3 years
    ],
)
def test_the_card_needs_its_number_and_a_validity_within_three_years(data, missing):
    with pytest.raises(TransitionError) as refused:
        schemes.check_transition("ramed", "submitted_to_anam", "card_issued", documents=SUPPLIED, data=data)
    assert missing in refused.value.missing


def test_the_certificate_step_is_due_in_three_days_and_the_card_in_fifteen():
    assert schemes.due_date("ramed", "request_filed", date(2026, 3, 1)) == date(2026, 3, 4)
    assert schemes.due_date("ramed", "submitted_to_anam", date(2026, 3, 1)) == date(2026, 3, 16)
    assert schemes.due_date("ramed", "card_issued", date(2026, 3, 1)) is None


def test_renewal_is_due_sixty_days_before_a_ramed_card_expires():
    assert schemes.renewal_due_on("ramed", date(2029, 3, 11)) == date(2029, 1, 10)
    assert schemes.renewal_due_on("amo", None) is None


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"valid_until": date(2029, 3, 11), "on": date(2029, 3, 11)}, "active"),
        ({"valid_until": date(2029, 3, 11), "on": date(2029, 3, 12)}, "expired"),
        ({"valid_until": date(2029, 3, 11), "on": date(2026, 3, 1), "contributions_due": 2}, "in_arrears"),
        ({"valid_until": None, "on": date(2026, 3, 1), "waiting_until": date(2026, 4, 1)}, "waiting"),
        ({"valid_until": date(2029, 3, 11), "on": date(2029, 3, 12), "contributions_due": 2}, "expired"),
    ],
)
def test_an_expired_card_is_never_shown_as_active(kwargs, status):
    assert schemes.card_status(valid_from=None, **kwargs) == status


@pytest.mark.parametrize(
    ("kwargs", "role"),
    [
        ({"is_head": True, "relationship": "head", "age_years": 40}, "head"),
        ({"is_head": False, "relationship": "spouse", "age_years": 35}, "spouse"),
        ({"is_head": False, "relationship": "child", "age_years": 13}, "child_under_14"),
        (
            {"is_head": False, "relationship": "child", "age_years": 16, "in_school": True},
            "child_14_21_school",
        ),
        ({"is_head": False, "relationship": "child", "age_years": 16}, None),
        ({"is_head": False, "relationship": "child", "age_years": 30, "disabled": True}, "disabled_child"),
    ],
)
def test_member_roles_follow_the_ramed_dependants(kwargs, role):
    assert schemes.member_role(**kwargs) == role


def test_months_due_counts_the_month_of_joining():
    assert schemes.months_due(paid_months=0, since=date(2026, 1, 15), on=date(2026, 1, 20)) == 1
    assert schemes.months_due(paid_months=3, since=date(2026, 1, 15), on=date(2026, 3, 1)) == 0
    assert schemes.months_due(paid_months=1, since=date(2026, 1, 15), on=date(2026, 4, 1)) == 3
