"""Benchmark: sick-child classifications per second (``iccm.classify_sick_child``), one core.

``run() -> str`` returns a Markdown section; ``python bench/bench_iccm.py`` prints it.
Generated visits: every age from day 0 to 66 months (so the three under-5 bands and a few
out-of-scope children), with the mix of findings a CHW records (cough, fever with RDT,
diarrhoea, MUAC, an occasional danger sign). CPU time of one process (``time.process_time``),
best and median of several rounds. Target: >= 20,000 classifications per second.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keneya.clinical import iccm  # noqa: E402

VISITS = 50_000
ROUNDS = 5
SEED = 2026
TARGET_PER_SECOND = 20_000
_SIGNS = (
    "convulsions",
    "chest_indrawing",
    "vomits_everything",
    "not_able_to_drink_or_feed",
    "unusually_sleepy_or_unconscious",
    "blood_in_stool",
    "bilateral_oedema",
)


def generate(n: int = VISITS, seed: int = SEED) -> list[tuple[date, date, dict[str, Any]]]:
    rng = random.Random(seed)
    visits = []
    for _ in range(n):
        dob = date(2021, 1, 1) + timedelta(days=rng.randint(0, 1500))
        visit = dob + timedelta(days=rng.randint(0, 2000))
        f: dict[str, Any] = {}
        if rng.random() < 0.5:
            f["cough"] = True
            f["cough_days"] = rng.randint(1, 16)
            f["respiratory_rate"] = rng.randint(25, 70)
        if rng.random() < 0.5:
            f["fever"] = True
            f["fever_days"] = rng.randint(1, 8)
            f["temperature_c"] = round(rng.uniform(36.0, 40.0), 1)
            f["rdt_result"] = rng.choice(("positive", "negative"))
        if rng.random() < 0.3:
            f["diarrhoea"] = True
            f["diarrhoea_days"] = rng.randint(1, 15)
        if rng.random() < 0.6:
            f["muac_mm"] = rng.randint(100, 160)
        if rng.random() < 0.1:
            f[rng.choice(_SIGNS)] = True
        visits.append((dob, visit, f))
    return visits


def measure(visits: list[tuple[date, date, dict[str, Any]]], rounds: int = ROUNDS) -> list[float]:
    """Classifications per CPU second, one value per round."""
    classify = iccm.classify_sick_child
    rates = []
    for _ in range(rounds):
        started = time.process_time()
        for dob, visit, findings in visits:
            classify(date_of_birth=dob, visit_date=visit, findings=findings)
        rates.append(len(visits) / (time.process_time() - started))
    return rates


def run() -> str:
    visits = generate()
    actions: dict[str | None, int] = {}
    for dob, visit, findings in visits:
        a = iccm.classify_sick_child(date_of_birth=dob, visit_date=visit, findings=findings)
        actions[a.action] = actions.get(a.action, 0) + 1
    rates = measure(visits)
    best, median = max(rates), statistics.median(rates)
    verdict = "meets" if median >= TARGET_PER_SECOND else "**misses**"
    mix = ", ".join(
        f"{k or 'out of scope'} {v * 100 / len(visits):.0f} %"
        for k, v in sorted(actions.items(), key=lambda kv: -kv[1])
    )
    return "\n".join(
        [
            "## Sick-child classification (iCCM/IMCI)",
            "",
            f"`keneya.clinical.iccm.classify_sick_child` on {len(visits):,} generated CHW visits "
            f"(ages 0-66 months; actions: {mix}), pure Python, one core, CPU time, "
            f"{ROUNDS} rounds. Every call validates the findings and builds its French reasons.",
            "",
            "| Measure | Classifications per second |",
            "|---|---:|",
            f"| Median of {ROUNDS} rounds | {median:,.0f} |",
            f"| Best round | {best:,.0f} |",
            f"| Target | >= {TARGET_PER_SECOND:,} |",
            "",
            f"The median {verdict} the target ({median / TARGET_PER_SECOND:.1f}x); about "
            f"{1e6 / median:.0f} µs per child. Rules version {iccm.ICCM_RULES_VERSION}.",
        ]
    )


if __name__ == "__main__":
    sys.stdout.write(run() + "\n")
