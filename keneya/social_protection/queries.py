"""Social-protection reads, all starting from scope; coverage derived from the dossiers."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from typing import Any

from django.db.models import Case, Count, DateTimeField, F, Q, QuerySet, Sum, Value, When, Window
from django.utils import timezone

from keneya.accounts.permissions import Capability, has_capability
from keneya.accounts.scope import household_filter
from keneya.people.scope import households_visible_to
from keneya.social_protection.models import (
    FINAL_STATUSES,
    Appointment,
    ContributionKind,
    ContributionPayment,
    Dossier,
    DossierDocument,
    DossierMember,
    ScorecardVersion,
    Screening,
)
from keneya.social_rules import schemes


def current_scorecard() -> ScorecardVersion | None:
    return ScorecardVersion.objects.filter(active=True).first()


def screenings_visible_to(user: Any) -> QuerySet[Screening]:
    if not (
        has_capability(user, Capability.SOCIAL_SCREEN) or has_capability(user, Capability.SOCIAL_CASEWORK)
    ):
        return Screening.objects.none()
    return Screening.objects.filter(household_filter(user, prefix="household__"))


def latest_screening(household: Any) -> Screening | None:
    return Screening.objects.filter(household=household).order_by("-screened_on", "-recorded_at").first()


def dossiers_visible_to(user: Any) -> QuerySet[Dossier]:
    """The social worker's dossiers: every dossier of the households of their areas."""
    if not has_capability(user, Capability.SOCIAL_CASEWORK):
        return Dossier.objects.none()
    return Dossier.objects.filter(household_filter(user, prefix="household__"))


@dataclass(frozen=True)
class DossierRow:
    dossier: Dossier
    due_on: date | None
    days_late: int

    @property
    def status_label(self) -> str:
        return status_label(self.dossier.scheme, self.dossier.status)


def status_label(scheme: str, status: str) -> str:
    """The French label of a dossier's step ("Demande déposée à la mairie"), the code if unknown."""
    try:
        return str(schemes.status_info(scheme, status)["label_fr"])
    except (KeyError, ValueError):
        return status


def _step_delays() -> list[tuple[str, str, int]]:
    """(scheme, step, delay in days) of every step that has a delay, from the catalogue."""
    return [
        (code, step["code"], int(step["delay_days"]))
        for code in schemes.scheme_codes()
        for step in schemes.scheme(code)["statuses"]
        if step.get("delay_days") and not step.get("final")
    ]


def _due_at() -> Case:
    """A dossier's due date in SQL: its step's delay from ``status_since`` (NULL without one)."""
    return Case(
        *[
            When(scheme=code, status=step, then=F("status_since") + timedelta(days=delay))
            for code, step, delay in _step_delays()
        ],
        default=Value(None),
        output_field=DateTimeField(),
    )


def _late_on(on: date) -> Q:
    """Dossiers past their step's due date on ``on`` (``status_since`` before ``on`` − delay)."""
    return reduce(
        operator.or_,
        (
            Q(scheme=code, status=step, status_since__lt=on - timedelta(days=delay))
            for code, step, delay in _step_delays()
        ),
    )


@dataclass(frozen=True)
class DossierPage:
    rows: list[DossierRow]
    total: int
    late: int


def dossier_page(
    user: Any,
    *,
    on: date | None = None,
    scheme: str = "",
    status: str = "",
    limit: int | None = None,
    offset: int = 0,
    with_household: bool = True,
) -> DossierPage:
    """Open dossiers, late first (most late first), then by due date, then by reference; each with
    its due date; ``limit`` rows at most from ``offset``, with the total and the number late. The
    order and the counts are computed by the database (the due date is the step's delay from
    ``status_since``), so a commune of 7,000 open dossiers reads only the rows shown
    (docs/benchmarks.md)."""
    on = on or timezone.localdate()
    dossiers = dossiers_visible_to(user).exclude(status__in=FINAL_STATUSES)
    if scheme:
        dossiers = dossiers.filter(scheme=scheme)
    if status:
        dossiers = dossiers.filter(status=status)
    # Most late first is the earliest due date first; the steps without a delay last. A narrow
    # statement orders the ids and carries the total and the late count (window counts over the
    # whole scope); a second one reads the rows shown, with their household and its head.
    ordered = (
        dossiers.alias(due_at=_due_at())
        .annotate(listed_total=Window(Count("pk")), listed_late=Window(Count("pk", filter=_late_on(on))))
        .order_by(F("due_at").asc(nulls_last=True), "reference")
        .values_list("pk", "listed_total", "listed_late")
    )
    if limit is None:  # every row (the API): one statement, the counts from the rows
        found = dossiers.alias(due_at=_due_at()).order_by(F("due_at").asc(nulls_last=True), "reference")
        listed = list(_with_household(found, with_household))
    else:
        picked = list(ordered[offset : offset + limit])
        by_pk = {
            d.pk: d
            for d in _with_household(Dossier.objects.filter(pk__in=[p[0] for p in picked]), with_household)
        }
        listed = [by_pk[pk] for pk, _total, _late in picked]
    rows = []
    for dossier in listed:
        due = schemes.due_date(dossier.scheme, dossier.status, dossier.status_since)
        rows.append(DossierRow(dossier, due, (on - due).days if due and on > due else 0))
    if limit is None:
        total, late = len(rows), sum(1 for row in rows if row.days_late)
    else:
        total, late = (picked[0][1], picked[0][2]) if picked else (0, 0)
    return DossierPage(rows, total, late)


def _with_household(dossiers: QuerySet[Dossier], with_household: bool) -> QuerySet[Dossier]:
    if with_household:  # the page names the household and its head
        return dossiers.select_related("household", "household__head")
    # the API gives the ids: only what a row needs
    return dossiers.only("id", "reference", "household_id", "scheme", "status", "status_since")


def dossier_rows(
    user: Any, *, on: date | None = None, scheme: str = "", status: str = ""
) -> list[DossierRow]:
    """Every open dossier, late first (``dossier_page`` without a limit, for the API)."""
    return dossier_page(user, on=on, scheme=scheme, status=status, with_household=False).rows


# The social worker's list shows this many screenings to validate (the newest first).
SCREENINGS_LISTED = 30


def screenings_to_validate(user: Any, *, limit: int = SCREENINGS_LISTED) -> list[Screening]:
    """The area's screenings no one has validated yet, newest first (maker-checker: the social
    worker validates a CHW's screening before opening a dossier)."""
    if not has_capability(user, Capability.SOCIAL_CASEWORK):
        return []
    return list(
        screenings_visible_to(user)
        .filter(validated_at__isnull=True)
        .select_related("household", "household__head", "household__quartier", "screened_by", "scorecard")
        .order_by("-screened_on", "-recorded_at")[:limit]
    )


def screenings_without_dossier(user: Any, *, limit: int = SCREENINGS_LISTED) -> list[Screening]:
    """Validated screenings whose household has no dossier yet: the files to open, newest first."""
    if not has_capability(user, Capability.SOCIAL_CASEWORK):
        return []
    return list(
        screenings_visible_to(user)
        .filter(validated_at__isnull=False, rescored_from__isnull=True)
        .exclude(household__dossiers__isnull=False)
        .select_related("household", "household__head", "household__quartier", "scorecard")
        .order_by("-validated_at")[:limit]
    )


def band_label(screening: Screening) -> str:
    """The French label of a screening's band on its own grid version."""
    for band in screening.scorecard.definition.get("bands", []):
        if band.get("code") == screening.band:
            return str(band.get("label_fr") or screening.band)
    return screening.band


def missing_documents(dossier: Dossier) -> list[DossierDocument]:
    return list(
        dossier.documents.select_related("person")
        .exclude(status__in=schemes.SUPPLIED)
        .order_by("person__given_names", "kind")
    )


def paid_months(dossier: Dossier) -> int:
    """Monthly contributions paid (voided payments and their voiding rows left out)."""
    paid = (
        ContributionPayment.objects.filter(dossier=dossier, kind=ContributionKind.MONTHLY, voids__isnull=True)
        .exclude(voided_by__isnull=False)
        .aggregate(months=Sum("months"))["months"]
    )
    return int(paid or 0)


def membership_paid_on(dossier: Dossier) -> date | None:
    payment = (
        ContributionPayment.objects.filter(
            dossier=dossier, kind=ContributionKind.MEMBERSHIP_FEE, voids__isnull=True
        )
        .exclude(voided_by__isnull=False)
        .order_by("paid_on")
        .first()
    )
    return payment.paid_on if payment else None


def contributions_state(dossier: Dossier, on: date) -> dict[str, Any]:
    """A mutuelle's contributions: months owed, and the waiting period before benefits."""
    info = schemes.scheme(dossier.scheme)
    joined = membership_paid_on(dossier)
    if dossier.scheme != "mutuelle" or joined is None:
        return {"months_due": 0, "waiting_until": None, "joined_on": joined}
    waiting = info.get("waiting_period_days")
    return {
        "months_due": schemes.months_due(paid_months=paid_months(dossier), since=joined, on=on),
        "waiting_until": joined + timedelta(days=waiting) if waiting else None,
        "joined_on": joined,
    }


def _contribution_states(dossiers: list[Dossier], on: date) -> dict[Any, dict[str, Any]]:
    """``contributions_state`` of several mutuelle dossiers in one query."""
    ids = [d.pk for d in dossiers if d.scheme == "mutuelle"]
    payments: dict[Any, list[ContributionPayment]] = {pk: [] for pk in ids}
    if ids:
        for payment in (
            ContributionPayment.objects.filter(dossier_id__in=ids, voids__isnull=True)
            .exclude(voided_by__isnull=False)
            .order_by("paid_on")
        ):
            payments[payment.dossier_id].append(payment)
    states: dict[Any, dict[str, Any]] = {}
    for dossier in dossiers:
        rows = payments.get(dossier.pk, [])
        fees = [p.paid_on for p in rows if p.kind == ContributionKind.MEMBERSHIP_FEE]
        joined = fees[0] if fees else None
        if dossier.scheme != "mutuelle" or joined is None:
            states[dossier.pk] = {"months_due": 0, "waiting_until": None, "joined_on": joined}
            continue
        waiting = schemes.scheme(dossier.scheme).get("waiting_period_days")
        paid = sum(p.months for p in rows if p.kind == ContributionKind.MONTHLY)
        states[dossier.pk] = {
            "months_due": schemes.months_due(paid_months=paid, since=joined, on=on),
            "waiting_until": joined + timedelta(days=waiting) if waiting else None,
            "joined_on": joined,
        }
    return states


def _entry(dossier: Dossier, state: dict[str, Any] | None, on: date) -> dict[str, Any]:
    if dossier.status == "card_issued":
        state = state or {"months_due": 0, "waiting_until": None}
        status = schemes.card_status(
            valid_from=dossier.valid_from,
            valid_until=dossier.valid_until,
            on=on,
            contributions_due=max(state["months_due"] - 1, 0),  # the current month is not late yet
            waiting_until=state["waiting_until"],
        )
    else:
        status = schemes.PENDING
    return {
        "scheme": dossier.scheme,
        "status": status,
        "card_number": dossier.card_number,
        "valid_from": dossier.valid_from,
        "valid_until": dossier.valid_until,
    }


def coverage_for_persons(
    persons: Iterable[Any], *, on: date | None = None
) -> dict[Any, list[dict[str, Any]]]:
    """The coverage of several persons (a page of the alert inbox) in two queries: for each
    person id, one entry per scheme, the latest dossier that enrols them (refused and closed
    ones left out)."""
    on = on or timezone.localdate()
    ids = [getattr(p, "pk", p) for p in persons]
    result: dict[Any, list[dict[str, Any]]] = {pk: [] for pk in ids}
    if not ids:
        return result
    memberships = list(
        DossierMember.objects.filter(person_id__in=ids)
        .exclude(dossier__status__in=("refused", "closed"))
        .select_related("dossier")
        .order_by("dossier__scheme", "-dossier__opened_at")
    )
    states = _contribution_states(list({m.dossier_id: m.dossier for m in memberships}.values()), on)
    seen: set[tuple[Any, str]] = set()
    for member in memberships:
        key = (member.person_id, member.dossier.scheme)
        if key in seen:
            continue
        seen.add(key)
        result[member.person_id].append(_entry(member.dossier, states.get(member.dossier_id), on))
    return result


def coverage_for(person: Any, *, on: date | None = None) -> list[dict[str, Any]]:
    """A person's coverage, derived from the dossiers that enrol them (never typed twice):
    a card's status on the day, or "pending" for an open dossier."""
    return coverage_for_persons([person], on=on)[person.pk]


def coverage_lines_for(user: Any, persons: Iterable[Any], *, on: date | None = None) -> dict[Any, list[str]]:
    """The French coverage lines of each person, for the roles that see coverage (else {})."""
    if not has_capability(user, Capability.COVERAGE_VIEW):
        return {}
    return {pk: coverage_text(entries) for pk, entries in coverage_for_persons(persons, on=on).items()}


COVERAGE_LABELS = {
    schemes.ACTIVE: "valide",
    schemes.PENDING: "dossier en cours",
    schemes.EXPIRED: "expirée",
    schemes.IN_ARREARS: "en retard de cotisation",
    schemes.WAITING: "en période de stage",
}
SCHEME_LABELS = {"ramed": "RAMED", "mutuelle": "Mutuelle", "amo": "AMO", "ramu": "RAMU"}


def coverage_text(entries: list[dict[str, Any]]) -> list[str]:
    """French lines for a banner: "RAMED valide jusqu'au 12/03/2029", "Mutuelle : en retard de
    cotisation", "Aucune couverture : dépistage conseillé"."""
    if not entries:
        return ["Aucune couverture : dépistage conseillé"]
    lines = []
    for entry in entries:
        scheme = SCHEME_LABELS.get(entry["scheme"], entry["scheme"])
        if entry["status"] == schemes.ACTIVE and entry["valid_until"]:
            lines.append(f"{scheme} valide jusqu'au {entry['valid_until']:%d/%m/%Y}")
        elif entry["status"] == schemes.EXPIRED and entry["valid_until"]:
            lines.append(f"{scheme} expirée depuis le {entry['valid_until']:%d/%m/%Y}")
        else:
            lines.append(f"{scheme} : {COVERAGE_LABELS.get(entry['status'], entry['status'])}")
    return lines


def summary_coverage(user: Any, person: Any) -> dict[str, Any]:
    """The patient summary's coverage (``records.hooks.summary_parts``): the entries of
    ``GET /api/v1/persons/{id}/coverage/``, each with its French line as ``label``; nothing for
    a role that does not see coverage."""
    if not has_capability(user, Capability.COVERAGE_VIEW):
        return {}
    entries = coverage_for(person)
    return {"coverage": [{**entry, "label": coverage_text([entry])[0]} for entry in entries]}


def programme_counts(user: Any) -> dict[str, Any]:
    """The programme's figures (counts only): households screened, dossiers by scheme and
    status, cards issued, late dossiers."""
    scope = (
        Q()
        if has_capability(user, Capability.AGGREGATES_VIEW)
        and not has_capability(user, Capability.SOCIAL_CASEWORK)
        else household_filter(user, prefix="household__")
    )
    dossiers = Dossier.objects.filter(scope)
    by_scheme_status = list(
        dossiers.values("scheme", "status").annotate(n=Count("id")).order_by("scheme", "status")
    )
    cards = dossiers.filter(status="card_issued", screening__isnull=False).values_list(
        "status_since", "screening__screened_on"
    )
    days = sorted((issued - screened).days for issued, screened in cards)
    late = sum(
        1
        for dossier in dossiers.exclude(status__in=FINAL_STATUSES).only("scheme", "status", "status_since")
        if (due := schemes.due_date(dossier.scheme, dossier.status, dossier.status_since))
        and timezone.localdate() > due
    )
    return {
        "median_days_screening_to_card": days[len(days) // 2] if days else None,
        "late_dossiers": late,
        "mutuelle_members": DossierMember.objects.filter(
            dossier__in=dossiers.filter(scheme="mutuelle", status="card_issued")
        ).count(),
        "households_screened": Screening.objects.filter(scope).values("household").distinct().count(),
        "dossiers": by_scheme_status,
        "cards_issued": {
            row["scheme"]: row["n"] for row in by_scheme_status if row["status"] == "card_issued"
        },
    }


@dataclass(frozen=True)
class RenewalRow:
    dossier: Dossier
    renewal_due_on: date
    expired: bool


# An expired card stays on the renewal list this long (then the family starts again).
RENEWAL_LISTED_AFTER_EXPIRY = timedelta(days=365)


def _cards_due_for_renewal(dossiers: QuerySet[Dossier], on: date) -> QuerySet[Dossier]:
    """Issued cards inside their scheme's renewal lead time on ``on`` (``renewal_due_on`` at the
    latest ``on``, in SQL), or expired less than a year ago, not yet renewed (no dossier names
    them in ``renewal_of``)."""
    leads = [
        (code, int(schemes.scheme(code)["renewal_lead_days"]))
        for code in schemes.scheme_codes()
        if schemes.scheme(code).get("renewal_lead_days")
    ]
    if not leads:
        return dossiers.none()
    within_lead = reduce(
        operator.or_, (Q(scheme=code, valid_until__lte=on + timedelta(days=lead)) for code, lead in leads)
    )
    return dossiers.filter(
        within_lead,
        status="card_issued",
        valid_until__isnull=False,
        valid_until__gte=on - RENEWAL_LISTED_AFTER_EXPIRY,
    ).exclude(pk__in=Dossier.objects.filter(renewal_of__isnull=False).values("renewal_of"))


def cards_to_renew(dossiers: QuerySet[Dossier], *, on: date, limit: int | None = None) -> list[RenewalRow]:
    """Issued cards within their scheme's renewal lead time (or expired), not yet renewed, the
    soonest expiry first; ``limit`` at most."""
    candidates = (
        _cards_due_for_renewal(dossiers, on)
        .select_related("household", "household__head")
        .order_by("valid_until", "reference")
    )
    if limit is not None:
        candidates = candidates[:limit]
    rows = []
    for dossier in candidates:
        due = schemes.renewal_due_on(dossier.scheme, dossier.valid_until)
        if due is not None and due <= on:
            assert dossier.valid_until is not None
            rows.append(RenewalRow(dossier, due, on > dossier.valid_until))
    return rows


def renewals_for(user: Any, *, on: date | None = None, limit: int | None = None) -> list[RenewalRow]:
    """The social worker's "Renouvellements à préparer"."""
    return cards_to_renew(dossiers_visible_to(user), on=on or timezone.localdate(), limit=limit)


def renewals_count(user: Any, *, on: date | None = None) -> int:
    return _cards_due_for_renewal(dossiers_visible_to(user), on or timezone.localdate()).count()


def open_appointments(dossiers: QuerySet[Dossier]) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(dossier__in=dossiers, done_on__isnull=True)
        .select_related("dossier", "dossier__household")
        .order_by("on", "id")
    )


def appointments_for_household(user: Any, household_id: Any) -> list[Appointment]:
    """The open appointments of a household the user may see (person page, CHW's "Fait")."""
    if not (
        has_capability(user, Capability.SOCIAL_SCREEN) or has_capability(user, Capability.SOCIAL_CASEWORK)
    ):
        return []
    if not households_visible_to(user).filter(pk=household_id).exists():
        return []
    return list(open_appointments(Dossier.objects.filter(household_id=household_id)))


def appointment_label(appointment: Appointment) -> str:
    """The French line of an appointment: "Enquête sociale (SLDS-ES) le 12/03/2029 (Mairie)"."""
    place = f" ({appointment.place})" if appointment.place else ""
    return f"{appointment.get_kind_display()} le {appointment.on:%d/%m/%Y}{place}"


def person_page_social(user: Any, person: Any, **_kwargs: Any) -> dict[str, Any]:
    """The person page's coverage lines and the household's open appointments
    (``people.hooks.person_page``)."""
    lines = coverage_lines_for(user, [person]).get(person.pk)
    if lines is None:
        return {}
    return {
        "social_coverage": lines,
        "social_appointments": appointments_for_household(user, person.household_id),
    }
