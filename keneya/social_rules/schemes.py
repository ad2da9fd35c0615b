"""The catalogue of social-protection schemes, as data (``data/schemes.json``), and the pure
functions that read it: the steps of a dossier and their transitions, the documents each
member brings, the delay of each step, the card's validity and its renewal.

Nothing about a scheme is hard-coded here: RAMU's rules are not stable yet (clinical-rules.md
§5.4), so a new version of the catalogue changes the workflow without code. Each value carries
its source in the data file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE = Path(__file__).resolve().parent / "data" / "schemes.json"

# Document statuses (clinical-rules.md §5.1: "missing | requested | obtained | verified").
MISSING, REQUESTED, OBTAINED, VERIFIED = "missing", "requested", "obtained", "verified"
DOCUMENT_STATUSES = (MISSING, REQUESTED, OBTAINED, VERIFIED)
# A document counts as supplied when obtained or verified (a substitute counts the same).
SUPPLIED = frozenset({OBTAINED, VERIFIED})

# RAMED dependants' ages (Loi n°09-030; clinical-rules.md §5.1): children under 14, 14-21 in school.
CHILD_AGE_LIMIT = 14
SCHOOL_AGE_LIMIT = 21


class TransitionError(ValueError):
    """A transition the scheme does not allow, or whose conditions are not met: ``missing``
    lists what is missing, in French."""

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.missing = missing or []


@cache
def catalogue() -> dict[str, Any]:
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def scheme(code: str) -> dict[str, Any]:
    try:
        return catalogue()["schemes"][code]
    except KeyError:
        raise ValueError(f"régime inconnu : {code}") from None


def scheme_codes() -> list[str]:
    return list(catalogue()["schemes"])


def status_info(scheme_code: str, status: str) -> dict[str, Any]:
    for entry in scheme(scheme_code)["statuses"]:
        if entry["code"] == status:
            return entry
    raise ValueError(f"étape inconnue pour {scheme_code} : {status}")


def is_final(scheme_code: str, status: str) -> bool:
    return bool(status_info(scheme_code, status).get("final"))


def allowed_transitions(scheme_code: str, status: str) -> list[str]:
    return list(scheme(scheme_code)["transitions"].get(status, []))


def member_role(
    *, is_head: bool, relationship: str, age_years: int, in_school: bool = False, disabled: bool = False
) -> str | None:
    """The role a member enrols under (RAMED/AMO dependants, §5.1-5.2); None when the member is
    not a dependant the schemes cover (an adult child not in school, say)."""
    if is_head:
        return "head"
    if relationship == "spouse":
        return "spouse"
    if relationship in {"parent", "ascendant"}:
        return "ascendant"
    if disabled:
        return "disabled_child"
    if age_years < CHILD_AGE_LIMIT:
        return "child_under_14"
    if age_years <= SCHOOL_AGE_LIMIT and in_school:
        return "child_14_21_school"
    return None


def required_documents(scheme_code: str, role: str) -> list[dict[str, Any]]:
    """The documents a member of this role brings: ``{kind, substitutes}`` each."""
    return [dict(d) for d in scheme(scheme_code)["documents"].get(role, [])]


def allowed_substitutes(scheme_code: str, role: str, kind: str) -> list[str]:
    """The documents the scheme accepts in place of ``kind`` for a member of ``role`` (a
    *jugement supplétif* for a birth certificate), in the catalogue's order."""
    return [
        s
        for required in required_documents(scheme_code, role)
        if required["kind"] == kind
        for s in required["substitutes"]
    ]


def document_label(kind: str) -> str:
    return catalogue()["document_kinds"].get(kind, {}).get("label_fr", kind)


@dataclass(frozen=True)
class DocumentState:
    """One required document of one member, as the dossier holds it."""

    person_name: str
    kind: str
    status: str
    substitute: str = ""
    unavailable_reason: str = ""


def missing_documents(documents: Iterable[DocumentState]) -> list[str]:
    """French lines for the documents not yet supplied: "certificat de résidence (Awa Traoré)"."""
    return [
        f"{document_label(d.kind).lower()} ({d.person_name})" for d in documents if d.status not in SUPPLIED
    ]


def _index(scheme_code: str, status: str) -> int:
    return [s["code"] for s in scheme(scheme_code)["statuses"]].index(status)


def check_transition(
    scheme_code: str,
    current: str,
    target: str,
    *,
    documents: Iterable[DocumentState] = (),
    data: Mapping[str, Any] | None = None,
) -> None:
    """Raise ``TransitionError`` unless ``current`` → ``target`` is allowed now.

    Guards: the scheme's transition table; from ``documents_required_from`` on, every required
    document supplied (obtained or verified, or its substitute); for the card
    (``card_required_to``), a card number and valid dates within the card's validity.
    """
    info = scheme(scheme_code)
    if target not in allowed_transitions(scheme_code, current):
        raise TransitionError(
            f"Passage impossible de « {status_info(scheme_code, current)['label_fr']} » à "
            f"« {_label_or_code(scheme_code, target)} » pour ce régime."
        )
    final_failures = {s["code"] for s in info["statuses"] if s.get("final")} - {info["card_required_to"]}
    if target in final_failures:
        return
    required_from = info.get("documents_required_from")
    if required_from and _index(scheme_code, target) >= _index(scheme_code, required_from):
        missing = missing_documents(documents)
        if missing:
            raise TransitionError("pièces manquantes : " + ", ".join(missing), missing)
    if target == info["card_required_to"]:
        _check_card(info, data or {})


def _label_or_code(scheme_code: str, status: str) -> str:
    try:
        return str(status_info(scheme_code, status)["label_fr"])
    except ValueError:
        return status


def _check_card(info: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    missing = []
    if not str(data.get("card_number") or "").strip():
        missing.append("numéro de carte")
    valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
    if not isinstance(valid_from, date):
        missing.append("date de début de validité")
    if info.get("card_validity_days") and not isinstance(valid_until, date):
        missing.append("date de fin de validité")
    if missing:
        raise TransitionError("informations de la carte manquantes : " + ", ".join(missing), missing)
    if isinstance(valid_from, date) and isinstance(valid_until, date):
        if valid_until <= valid_from:
            raise TransitionError("la fin de validité doit suivre le début", ["date de fin de validité"])
        longest = info.get("card_validity_days")
        if longest and (valid_until - valid_from).days > longest:
            raise TransitionError(
                f"validité trop longue : {longest} jours au plus pour cette carte",
                ["date de fin de validité"],
            )


def due_date(scheme_code: str, status: str, entered_on: date) -> date | None:
    """When this step should be over (its delay from the day the dossier entered it)."""
    delay = status_info(scheme_code, status).get("delay_days")
    return entered_on + timedelta(days=delay) if delay else None


def renewal_due_on(scheme_code: str, valid_until: date | None) -> date | None:
    lead = scheme(scheme_code).get("renewal_lead_days")
    if valid_until is None or not lead:
        return None
    return valid_until - timedelta(days=lead)


# Coverage statuses shown where care happens.
ACTIVE, PENDING, EXPIRED, IN_ARREARS, WAITING = "active", "pending", "expired", "in_arrears", "waiting"


def card_status(
    *,
    valid_from: date | None,
    valid_until: date | None,
    on: date,
    contributions_due: int = 0,
    waiting_until: date | None = None,
) -> str:
    """A card's coverage on a day: expired past its end (never shown as active), in arrears when
    contributions are owed (mutuelles), waiting during the waiting period, else active."""
    if valid_until is not None and on > valid_until:
        return EXPIRED
    if valid_from is not None and on < valid_from:
        return PENDING
    if contributions_due > 0:
        return IN_ARREARS
    if waiting_until is not None and on < waiting_until:
        return WAITING
    return ACTIVE


def months_due(*, paid_months: int, since: date, on: date) -> int:
    """Monthly contributions owed on ``on`` for a membership started ``since`` (the month of
    joining counts), less the months paid; never negative."""
    months = (on.year - since.year) * 12 + (on.month - since.month) + 1
    return max(months - paid_months, 0)
