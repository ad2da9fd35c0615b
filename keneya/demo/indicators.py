"""The demo's indicators: the registry dated from the start of the simulated programme, a goal
per CHW for the month, and the rollups built (``keneya.indicators``).

The demo writes its six months of visits in bulk, without the ``visits_stored`` hook that marks
the months to recompute, so this step rebuilds the rollups of those months (what
``manage.py rebuild_indicators`` does); from then on the scheduler's ``refresh_indicators`` job
keeps them up to date. The registry's households and persons are written at seed time: they
are dated back (one UPDATE each) to the first day of the demo's history, as if registered when
the programme started, so "children followed" has a value in every month of the history.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from keneya.accounts.models import Role, User
from keneya.demo import district
from keneya.indicators import changes, targets
from keneya.indicators.models import IndicatorCell, IndicatorMonth, PendingChange, ReportExport, Target
from keneya.indicators.registry import month_of, months_before
from keneya.people.models import Household, Person

HISTORY_MONTHS = 6
# Monthly home-visit goal per CHW: about what a relais with ~100 households does (demo figure).
VISIT_GOALS = (50, 60, 70, 80)


def seed_indicators(*, seed: int | str, today: date, quartier_ids: Any) -> dict[str, int]:
    rng = random.Random(f"{seed}:indicators")  # noqa: S311 (demo data)
    start = months_before(today.replace(day=1), HISTORY_MONTHS)
    registered = timezone.make_aware(datetime.combine(start, time(8)))
    households = Household.objects.filter(quartier_id__in=quartier_ids, created_at__gt=registered)
    persons = Person.objects.filter(household__in=households.values("pk"))
    moved = persons.update(created_at=registered)
    households.update(created_at=registered)
    me = User.objects.filter(role=Role.ME_OFFICER, email__endswith=f"@{district.DEMO_EMAIL_DOMAIN}").first()
    n_targets = 0
    if me is not None:
        period = month_of(today).code
        for chw in User.objects.filter(
            role=Role.CHW, email__endswith=f"@{district.DEMO_EMAIL_DOMAIN}"
        ).order_by("username"):
            targets.set_target(
                by=me, indicator="home_visits", period=period, value=rng.choice(VISIT_GOALS), chw=chw
            )
            n_targets += 1
    report = changes.full_rebuild(first=start, last=today)
    return {"persons_dated": moved, "targets": n_targets, "months": report.months, "cells": report.cells}


def delete_indicators(*, user_ids: Any) -> dict[str, int]:
    """Remove the demo's targets and report files, and every rollup (they are derived data: the
    next refresh or ``rebuild_indicators`` recomputes what remains)."""
    counts = {
        "targets": Target.objects.filter(set_by_id__in=user_ids).delete()[0]
        + Target.objects.filter(chw_id__in=user_ids).delete()[0],
        "report_exports": ReportExport.objects.filter(requested_by_id__in=user_ids).delete()[0],
    }
    counts["indicator_cells"] = IndicatorCell.objects.all().delete()[0]
    IndicatorMonth.objects.all().delete()
    PendingChange.objects.all().delete()
    return counts
