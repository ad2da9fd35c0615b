"""The tablet orders, groups and filters the tasks as the server does (pwa/ui/worklist.js)."""

from __future__ import annotations

import itertools
import json
import random
import shutil
import subprocess
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from keneya.worklist import queries as worklist
from keneya.worklist.queries import Task, filter_tasks, group_on, sort_key

REPO = Path(__file__).resolve().parents[3]
ON = date(2026, 3, 12)

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def run_worklist_js(body: str, payload: object) -> object:
    script = (
        "const payload = JSON.parse(process.argv[1]);"
        "const w = await import('./keneya/pwa/static/pwa/ui/worklist.js');"
        f"{body}"
    )
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps(payload)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def sample_tasks() -> list[Task]:
    """Every kind with windows around ON (past, today, this week, later), names that tie."""
    rng = random.Random(11)
    tasks = []
    starts = [-40, -3, -1, 0, 1, 5, 7]
    lengths = [0, 1, 6, 7, 28]
    for i, (kind, start, length) in enumerate(itertools.product(worklist.KINDS, starts, lengths)):
        due_from = ON + timedelta(days=start)
        due_by = due_from + timedelta(days=length)
        tasks.append(
            Task(
                id=uuid.UUID(int=rng.getrandbits(128)),
                kind=kind,
                person_id=uuid.UUID(int=i),
                household_id=uuid.UUID(int=i % 5),
                title_fr="t",
                due_from=due_from,
                due_by=due_by,
                status=worklist.status_on(ON, due_from, due_by),
                detail_fr="",
                source="",
                person_name=rng.choice(["Awa Diarra", "Fanta Traoré", "Éric Koné", "awa Diarra"]),
                household_code=f"LAF-{i % 5:04d}",
            )
        )
    rng.shuffle(tasks)
    return tasks


def test_the_constants_are_the_servers():
    got = run_worklist_js(
        "console.log(JSON.stringify([w.KINDS, w.KIND_LABELS, [...w.URGENT_KINDS].sort(), w.GROUPS,"
        " w.GROUP_LABELS, w.WEEK_DAYS]));",
        None,
    )
    assert got == [
        list(worklist.KINDS),
        worklist.KIND_LABELS_FR,
        sorted(worklist.URGENT_KINDS),
        list(worklist.GROUPS),
        worklist.GROUP_LABELS_FR,
        worklist.WEEK_DAYS,
    ]


def test_the_tablet_gives_the_same_order_and_groups():
    tasks = sample_tasks()
    got = run_worklist_js(
        "const [tasks, on] = payload;"
        "const sorted = w.sortTasks(tasks, on);"
        "console.log(JSON.stringify([sorted.map((t) => t.id), sorted.map((t) => w.groupOn(t, on)),"
        " sorted.map((t) => w.statusOn(t, on))]));",
        [[t.as_dict() for t in tasks], ON.isoformat()],
    )
    expected = sorted(tasks, key=lambda t: sort_key(t, ON))
    assert got == [
        [str(t.id) for t in expected],
        [group_on(t, ON) for t in expected],
        [t.status for t in expected],
    ]
    assert set(got[1]) == set(worklist.GROUPS)  # the sample reaches every group


def test_the_tablet_filters_as_the_server():
    tasks = sample_tasks()
    household = tasks[0].household_id
    got = run_worklist_js(
        "const [tasks, on, household] = payload;"
        "console.log(JSON.stringify([w.filterTasks(tasks, { kind: 'vaccine_due' }, on).map((t) => t.id),"
        " w.filterTasks(tasks, { household, kind: 'referral_check' }, on).map((t) => t.id),"
        " w.filterTasks(tasks, { group: 'week' }, on).map((t) => t.id)]));",
        [[t.as_dict() for t in tasks], ON.isoformat(), str(household)],
    )
    assert got == [
        [str(t.id) for t in filter_tasks(tasks, kind="vaccine_due")],
        [str(t.id) for t in filter_tasks(tasks, kind="referral_check", household_id=household)],
        [str(t.id) for t in tasks if group_on(t, ON) == "week"],
    ]
