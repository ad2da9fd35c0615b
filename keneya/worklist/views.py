"""The CHW's page "Mes tâches" (/taches/): today's task list, grouped, filtered and paged.

The order and the groups are ``visits.worklist``'s (``sort_key``, ``group_on``). The filters
are GET parameters holding codes only, never a name: ``type`` (a kind of ``KINDS``) and
``menage`` (a household id, among the CHW's own). ``page`` pages by ``PAGE_SIZE`` tasks, so the
page stays short on a cheap tablet; each heading gives its group's total and the summary links
to the page where each group starts.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from keneya.accounts.permissions import Capability, require_capability
from keneya.people.models import Household
from keneya.worklist.queries import (
    GROUP_LABELS_FR,
    GROUPS,
    KIND_LABELS_FR,
    KINDS,
    filter_tasks,
    group_on,
    tasks_for_chw,
)

PAGE_SIZE = 25


def _household_param(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


@require_capability(Capability.VISIT_RECORD)
def task_list(request: HttpRequest) -> HttpResponse:
    on = timezone.localdate()
    tasks = tasks_for_chw(chw=request.user, on=on)

    # The choices of the filters: the kinds and households that have tasks today.
    kind_counts = Counter(t.kind for t in tasks)
    household_counts = Counter(t.household_id for t in tasks)
    names = dict(
        Household.objects.filter(pk__in=list(household_counts)).values_list("pk", "head__family_name")
    )
    codes = {t.household_id: t.household_code for t in tasks}
    households = sorted(
        ((str(pk), f"{names.get(pk) or '—'} ({codes[pk]})", count) for pk, count in household_counts.items()),
        key=lambda row: row[1],
    )

    kind = request.GET.get("type", "")
    kind = kind if kind in KINDS else ""
    # A household without a task today (or not the CHW's) filters to nothing: the same answer.
    household = _household_param(request.GET.get("menage", ""))
    shown = filter_tasks(tasks, kind=kind or None, household_id=household)

    groups = [group_on(t, on) for t in shown]
    totals = Counter(groups)
    paginator = Paginator(shown, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    start = page.start_index() - 1 if shown else 0
    # The page's tasks under their group headings (a group may continue from the previous page).
    sections: list[dict[str, Any]] = []
    for offset, task in enumerate(page.object_list):
        group = groups[start + offset]
        if not sections or sections[-1]["group"] != group:
            sections.append(
                {
                    "group": group,
                    "label": GROUP_LABELS_FR[group],
                    "total": totals[group],
                    "continued": start + offset > 0 and groups[start + offset - 1] == group,
                    "tasks": [],
                }
            )
        sections[-1]["tasks"].append(task)

    filters = {k: v for k, v in (("type", kind), ("menage", str(household) if household else "")) if v}

    def page_url(number: int, anchor: str = "") -> str:
        return "?" + urlencode({**filters, "page": number}) + anchor

    summary = [
        {
            "group": g,
            "label": GROUP_LABELS_FR[g],
            "total": totals[g],
            "url": page_url(groups.index(g) // PAGE_SIZE + 1, f"#groupe-{g}"),
        }
        for g in GROUPS
        if totals[g]
    ]
    return render(
        request,
        "worklist/tasks.html",
        {
            "on": on,
            "count": len(tasks),
            "shown_count": len(shown),
            "filtered": bool(filters),
            "kind": kind,
            "household": str(household) if household else "",
            "kinds": [(k, KIND_LABELS_FR[k], kind_counts[k]) for k in KINDS if kind_counts[k]],
            "households": households,
            "summary": summary,
            "sections": sections,
            "page": page,
            "previous_url": page_url(page.previous_page_number()) if page.has_previous() else "",
            "next_url": page_url(page.next_page_number()) if page.has_next() else "",
        },
    )
