"""The worklist's part of a tablet's pull: the CHW's tasks, whole, with the last page."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from keneya.sync.registry import register_pull_extra
from keneya.worklist.queries import tasks_for_chw


def pulled_tasks(chw: Any) -> list[dict[str, Any]]:
    return [task.as_dict() for task in tasks_for_chw(chw=chw, on=timezone.localdate())]


register_pull_extra("tasks", pulled_tasks)
