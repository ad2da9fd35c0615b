"""The CHW's page "Mes tâches" (/taches/): today's task list, grouped by status."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from keneya.accounts.permissions import Capability, require_capability
from keneya.visits.worklist import STATUS_LABELS_FR, STATUSES, tasks_for_chw


@require_capability(Capability.VISIT_RECORD)
def task_list(request: HttpRequest) -> HttpResponse:
    on = timezone.localdate()
    tasks = tasks_for_chw(chw=request.user, on=on)
    groups = [
        (status, STATUS_LABELS_FR[status], [t for t in tasks if t.status == status]) for status in STATUSES
    ]
    return render(request, "visits/tasks.html", {"on": on, "groups": groups, "count": len(tasks)})
