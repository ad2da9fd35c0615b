"""The demo's social protection, through the real services: the demonstration grid, screenings
of about a third of the households (by their CHWs), and dossiers of every scheme in every state
(by the social worker): some late, some with a substitute document, some refused, cards issued
and some expiring soon.

Seeded and dated relative to "today", so the same seed gives the same story. The services'
clock is the real one (the dossiers' steps are dated today); the late and the expiring ones are
then dated back with plain updates of ``status_since`` and the card's dates, which no rule
reads when it writes.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from keneya.accounts.models import Role, User
from keneya.core.periodic import periodic_job
from keneya.demo import district
from keneya.people.models import Household
from keneya.social_protection import services
from keneya.social_protection.models import Dossier, DossierDocument, ScorecardVersion
from keneya.social_rules import schemes, scorecard

NAMESPACE = uuid.UUID("5e0c1a1b-2f0e-4d2a-9c4b-736f6369616c")
SCREENED_SHARE = 1 / 3
# How far each demo dossier goes along its scheme's path (the number of steps after the first),
# and how many of each: every state of every scheme appears at least once.
DOSSIERS_PER_STEP = 2


def _id(*parts: Any) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


def _answers(grid: dict[str, Any], rng: random.Random) -> dict[str, str]:
    # Skewed towards the poorer options: the programme screens the households it worries about.
    return {
        i["code"]: rng.choices(i["options"], weights=range(1, len(i["options"]) + 1))[0]["code"]
        for i in grid["indicators"]
    }


def seed_social_protection(*, seed: int | str, today: date) -> dict[str, int]:
    rng = random.Random(f"{seed}:social")  # noqa: S311 (demo data)
    demo = User.objects.filter(email__endswith=f"@{district.DEMO_EMAIL_DOMAIN}")
    admin = demo.filter(role=Role.ADMIN).order_by("pk").first()
    social = demo.filter(role=Role.SOCIAL_WORKER).order_by("pk").first()
    if admin is None or social is None:
        return {}
    grid = scorecard.load_demo_grid()
    if not ScorecardVersion.objects.filter(active=True).exists():
        services.load_scorecard(by=admin, definition=grid)
    households = list(
        Household.objects.filter(chw__isnull=False, head__isnull=False)
        .select_related("chw", "head")
        .order_by("code")
    )
    screened = [h for h in households if rng.random() < SCREENED_SHARE]
    for household in screened:
        services.record_screening(
            by=household.chw,
            id=_id("screening", household.pk),
            household=household,
            screened_on=today - timedelta(days=rng.randrange(0, 300)),
            answers=_answers(grid, rng),
        )
    dossiers = _dossiers(social, screened, rng=rng, today=today)
    # The SMS the dossiers queued ("card ready") leave as the scheduler's outbox job sends them.
    periodic_job("send_outbox").run(timezone.now())
    return {"screenings": len(screened), "dossiers": dossiers}


def _dossiers(social: Any, screened: list[Household], *, rng: random.Random, today: date) -> int:
    pool = list(screened)
    rng.shuffle(pool)
    made = 0
    for code in schemes.scheme_codes():
        path = _main_path(code)
        endings = [*range(len(path)), "refused", "closed"]
        for ending in endings:
            for copy in range(DOSSIERS_PER_STEP):
                if not pool:
                    return made
                household = pool.pop()
                members = list(household.members.filter(merged_into__isnull=True).order_by("date_of_birth"))
                members = [m for m in members if _eligible(code, m, today)]
                if not members:
                    continue
                try:
                    dossier, _created = services.open_dossier(
                        by=social,
                        id=_id("dossier", household.pk, code),
                        household=household,
                        scheme=code,
                        members=members,
                    )
                except (ValidationError, services.Conflict):
                    continue
                made += 1
                _walk(social, dossier, path, ending, rng=rng, today=today, late=copy == 0)
    return made


def _eligible(code: str, person: Any, today: date) -> bool:
    from keneya.people.validation import years_between

    role = schemes.member_role(
        is_head=person.relationship_to_head == "head",
        relationship=person.relationship_to_head,
        age_years=years_between(person.date_of_birth, today),
    )
    return role is not None and role in schemes.scheme(code)["documents"]


def _main_path(code: str) -> list[str]:
    """The statuses from the first to the card, following the first allowed transition that is
    neither a refusal nor a closing."""
    info = schemes.scheme(code)
    path = [info["initial"]]
    while True:
        nxt = [t for t in schemes.allowed_transitions(code, path[-1]) if t not in ("refused", "closed")]
        if not nxt:
            return path
        path.append(nxt[0])


def _walk(
    social: Any,
    dossier: Dossier,
    path: list[str],
    ending: Any,
    *,
    rng: random.Random,
    today: date,
    late: bool,
) -> None:
    info = schemes.scheme(dossier.scheme)
    target = len(path) - 1 if ending in ("refused", "closed") else ending
    stop_at = rng.randrange(1, max(target, 1) + 1) if ending in ("refused", "closed") else target
    documents_from = (
        path.index(info["documents_required_from"]) if info.get("documents_required_from") else 99
    )
    for step in path[1 : stop_at + 1]:
        if path.index(step) >= documents_from:
            _supply_documents(social, dossier, rng=rng, today=today)
        data: dict[str, Any] = {}
        if step == info["card_required_to"]:
            valid_days = info.get("card_validity_days") or 365 * 3
            start = today - timedelta(days=rng.randrange(0, valid_days))
            data = {
                "card_number": f"{dossier.scheme.upper()}-{rng.randrange(10**6):06d}",
                "valid_from": start,
                "valid_until": start + timedelta(days=valid_days - 1),
            }
            if late:  # some cards expire soon: the renewal list and the CHW's task show them
                data["valid_from"] = today - timedelta(days=valid_days - 40)
                data["valid_until"] = today + timedelta(days=39)
        services.transition_dossier(by=social, dossier=dossier, to=step, data=data)
    if ending in ("refused", "closed"):
        final = (
            ending if ending in schemes.allowed_transitions(dossier.scheme, _status(dossier)) else "closed"
        )
        if final in schemes.allowed_transitions(dossier.scheme, _status(dossier)):
            services.transition_dossier(
                by=social, dossier=dossier, to=final, data={"reason": "démonstration"}
            )
    elif late and not schemes.is_final(dossier.scheme, _status(dossier)):
        # A late dossier: it entered its step well before the step's delay.
        Dossier.objects.filter(pk=dossier.pk).update(status_since=today - timedelta(days=45))


def _status(dossier: Dossier) -> str:
    return Dossier.objects.values_list("status", flat=True).get(pk=dossier.pk)


def _supply_documents(social: Any, dossier: Dossier, *, rng: random.Random, today: date) -> None:
    roles = {m.person_id: m.role for m in dossier.members.all()}
    for document in DossierDocument.objects.filter(dossier=dossier).exclude(status__in=schemes.SUPPLIED):
        substitutes = schemes.allowed_substitutes(dossier.scheme, roles[document.person_id], document.kind)
        substitute = substitutes[0] if substitutes and rng.random() < 0.3 else ""
        services.update_document(
            by=social,
            document=document,
            status="verified" if rng.random() < 0.7 else "obtained",
            issued_on=today - timedelta(days=rng.randrange(1, 60)),
            substitute=substitute,
        )


def delete_social_protection(*, household_ids: Any, user_ids: Any) -> dict[str, int]:
    """Remove the demo's screenings and dossiers (and what hangs off them); the grids stay
    (configuration), losing only the demo administrator who activated them."""
    from keneya.social_protection.models import (
        Appointment,
        ContributionPayment,
        DocumentFile,
        DossierEvent,
        DossierMember,
        Screening,
    )

    dossiers = Dossier.objects.filter(household_id__in=household_ids)
    counts = {}
    ContributionPayment.objects.filter(dossier__in=dossiers, voids__isnull=False).delete()
    for model in (ContributionPayment, Appointment, DossierEvent, DocumentFile):
        model.objects.filter(
            **{"dossier__in" if model is not DocumentFile else "document__dossier__in": dossiers}
        ).delete()
    DossierDocument.objects.filter(dossier__in=dossiers).delete()
    DossierMember.objects.filter(dossier__in=dossiers).delete()
    Dossier.objects.filter(renewal_of__in=dossiers).update(renewal_of=None)
    counts["dossiers"] = dossiers.delete()[0]
    Screening.objects.filter(rescored_from__household_id__in=household_ids).delete()
    counts["screenings"] = Screening.objects.filter(household_id__in=household_ids).delete()[0]
    ScorecardVersion.objects.filter(activated_by_id__in=user_ids).update(activated_by=None)
    return counts
