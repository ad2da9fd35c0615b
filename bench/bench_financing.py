"""Benchmark: savings groups' ledger at 1,000 groups × 20 members × 3 years of weekly meetings
(issue #16; about 3 million contributions, 9 million postings) on PostgreSQL.

Measured: a group's balances (``queries.group_balances``) and a member's statement
(``queries.member_statement``, one year) p50/p95 (target p95 < 100 ms); a meeting sheet of 20
members (``services.record_meeting``: attendance, 20 contributions, a repayment, a cash count;
target < 300 ms); a share-out (computation and posting). Writes are rolled back.

The ledger is generated with the demo's bulk path (``keneya.demo.financing.write_entries``, the
services' own lines, proven equal by ``financing/tests/test_bulk.py``); each group also gets a
few health loans and repayments through the services. Sizes from the environment:
``BENCH_FINANCING_GROUPS`` (1000), ``BENCH_FINANCING_WEEKS`` (156), ``BENCH_FINANCING_MEMBERS``
(20). ``DATABASE_URL`` defaults to ``postgres://postgres@127.0.0.1:5432/keneya_bench_financing``.
``python -m bench.run financing`` runs it in a child process.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from typing import Any

from bench._server import log, run_in_child, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/keneya_bench_financing"
GROUPS = int(os.environ.get("BENCH_FINANCING_GROUPS", "1000"))
WEEKS = int(os.environ.get("BENCH_FINANCING_WEEKS", "156"))
MEMBERS = int(os.environ.get("BENCH_FINANCING_MEMBERS", "20"))
SAMPLES = int(os.environ.get("BENCH_FINANCING_SAMPLES", "100"))
NAME = "Bench tontine"


def run() -> str:
    return run_in_child("bench.bench_financing", os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def generate(today: date) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from keneya.accounts.models import User
    from keneya.core.models import Area, AreaLevel
    from keneya.demo.fastinsert import complete_rows, insert_rows
    from keneya.demo.financing import write_entries
    from keneya.financing import services
    from keneya.financing.models import EntryKind, JournalEntry, Office, SavingsGroup
    from keneya.people.models import Household, Person

    existing = SavingsGroup.objects.filter(name__startswith=NAME).count()
    if existing == GROUPS:
        return {"reused": True}
    if existing:
        raise SystemExit("another size of the benchmark is in the database: drop it first")
    started = time.perf_counter()
    admin, _ = User.objects.get_or_create(username="bench-financing-admin", defaults={"role": "admin"})
    treasurer, _ = User.objects.get_or_create(
        username="bench-financing-treasurer", defaults={"role": "treasurer"}
    )
    quartier, _ = Area.objects.get_or_create(
        code="BENCH-FIN", defaults={"name": "Quartier du benchmark", "level": AreaLevel.QUARTIER}
    )
    start = today - timedelta(weeks=WEEKS)
    now = timezone.now()
    stamps = {"created_at": now, "updated_at": now}
    rng = random.Random(2026)  # noqa: S311 (bench data)
    for g in range(GROUPS):
        with transaction.atomic():
            households, persons = [], []
            for m in range(MEMBERS):
                hid, pid = uuid.uuid4(), uuid.uuid4()
                households.append(
                    {
                        "id": hid,
                        "code": f"BF-{g:04d}-{m:02d}",
                        "quartier_id": quartier.pk,
                        "head_id": pid,
                        **stamps,
                    }
                )
                persons.append(
                    {
                        "id": pid,
                        "household_id": hid,
                        "family_name": "Diarra",
                        "given_names": "Awa",
                        "sex": "F",
                        "date_of_birth": date(1990, 1, 1),
                        "relationship_to_head": "head",
                        **stamps,
                    }
                )
            insert_rows(Household, complete_rows(Household, households))
            insert_rows(Person, complete_rows(Person, persons))
            women = list(Person.objects.filter(pk__in=[p["id"] for p in persons]))
            group = services.create_group(by=admin, name=f"{NAME} {g:04d}", quartier=quartier)
            services.appoint(by=admin, group=group, office=Office.TREASURER, user=treasurer, since=start)
            for woman in women:
                services.add_member(by=admin, group=group, person=woman, joined_on=start)
            cycle = services.open_cycle(
                by=admin,
                group=group,
                opened_on=start,
                contribution=100,
                health_part=50,
                health_loan_max=15000,
                emergency_loan_max=10000,
                max_shares=3,
            )
            rows = []
            for week in range(WEEKS):
                on = start + timedelta(weeks=week)
                for woman in women:
                    shares = rng.choice([1, 1, 1, 2])
                    rows.append(
                        (
                            JournalEntry(
                                group=group,
                                kind=EntryKind.CONTRIBUTION,
                                date=on,
                                member=woman,
                                recorded_by=treasurer,
                                memo=services.contribution_memo(shares),
                            ),
                            services.contribution_lines(cycle, woman.pk, shares),
                        )
                    )
            write_entries(rows)
            for k in range(3):  # a few health loans, repaid through the services
                on = start + timedelta(weeks=WEEKS * (k + 1) // 4)
                loan, _ = services.disburse_loan(
                    by=treasurer,
                    group=group,
                    loan_id=uuid.uuid4(),
                    member=women[k],
                    amount=5000,
                    purpose="transport",
                    disbursed_on=on,
                )
                services.record_repayment(
                    by=treasurer,
                    loan=loan,
                    repayment_id=uuid.uuid4(),
                    amount=2500,
                    paid_on=on + timedelta(weeks=1),
                )
        if g % 50 == 49:
            log("financing", f"{g + 1}/{GROUPS} groups ({time.perf_counter() - started:.0f} s)")
    return {"reused": False, "seconds": time.perf_counter() - started}


def measure(today: date) -> dict[str, Any]:
    from django.db import connection, transaction

    from keneya.accounts.models import User
    from keneya.financing import queries, services
    from keneya.financing.models import Loan, Posting, SavingsGroup

    rng = random.Random(7)  # noqa: S311 (bench sampling)
    groups = list(SavingsGroup.objects.filter(name__startswith=NAME))
    treasurer = User.objects.get(username="bench-financing-treasurer")
    sample = [rng.choice(groups) for _ in range(SAMPLES)]
    balances, statements, sheets, shareouts = [], [], [], []
    for group in sample:
        t = time.perf_counter()
        queries.group_balances(group)
        balances.append((time.perf_counter() - t) * 1000)
    for group in sample:
        member = group.memberships.order_by("?").first().person
        t = time.perf_counter()
        queries.member_statement(group, member, start=today - timedelta(days=365), end=today)
        statements.append((time.perf_counter() - t) * 1000)
    for i, group in enumerate(sample[: max(10, SAMPLES // 5)]):
        members = [m.person_id for m in queries.current_members(group)]
        loan = Loan.objects.filter(group=group).first()
        sheet: dict[str, Any] = {
            "present": members,
            "contributions": [{"member": m, "shares": 1} for m in members],
            "repayments": [{"id": uuid.uuid4(), "loan": loan.pk, "amount": 100}] if loan else [],
            "cash_counts": [],
        }
        with transaction.atomic():
            t = time.perf_counter()
            services.record_meeting(
                by=treasurer,
                group=group,
                meeting_id=uuid.uuid4(),
                held_on=today + timedelta(days=i % 1),
                **sheet,
            )
            sheets.append((time.perf_counter() - t) * 1000)
            transaction.set_rollback(True)
    for group in sample[:10]:
        with transaction.atomic():
            t = time.perf_counter()
            services.post_share_out(by=treasurer, cycle=queries.open_cycle(group), on=today, approved=True)
            shareouts.append((time.perf_counter() - t) * 1000)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred check counted too
            transaction.set_rollback(True)
    return {
        "postings": Posting.objects.count(),
        "groups": len(groups),
        "balances": balances,
        "statements": statements,
        "sheets": sheets,
        "shareouts": shareouts,
    }


def section(generated: dict[str, Any], m: dict[str, Any]) -> str:
    def row(label: str, values: list[float], target: str) -> str:
        return f"| {label} | {statistics.median(values):.1f} | {pct(values, 95):.1f} | {target} |"

    made = "reused" if generated.get("reused") else f"generated in {generated['seconds']:.0f} s"
    return "\n".join(
        [
            "## Savings groups: balances, statements, meeting sheets, share-out (issue #16)",
            "",
            f"{m['groups']} groups × {MEMBERS} members × {WEEKS} weekly meetings on PostgreSQL: "
            f"{m['postings']:,} postings ({made}).".replace(",", " "),
            "",
            "| Operation | p50 (ms) | p95 (ms) | Target |",
            "|---|---|---|---|",
            row("A group's balances (boxes, funds, every member)", m["balances"], "p95 < 100 ms"),
            row("A member's statement (one year)", m["statements"], "p95 < 100 ms"),
            row("A meeting sheet of 20 members (service)", m["sheets"], "< 300 ms"),
            row("A share-out (computed and posted, deferred check included)", m["shareouts"], "—"),
        ]
    )


def main() -> None:
    setup_django("bench_financing", DEFAULT_DATABASE_URL)
    from django.utils import timezone

    today = timezone.localdate()
    generated = generate(today)
    print(section(generated, measure(today)))


if __name__ == "__main__":
    sys.exit(main())
