"""A grid, a screening and a dossier made through the services, for tests."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from keneya.social_protection import services
from keneya.social_rules import scorecard


def demo_grid_active(admin: Any) -> Any:
    return services.load_scorecard(by=admin, definition=scorecard.load_demo_grid())


def answers(**chosen: str) -> dict[str, str]:
    """The lowest option of every indicator, or the one named."""
    grid = scorecard.load_demo_grid()
    out = {i["code"]: min(i["options"], key=lambda o: o["points"])["code"] for i in grid["indicators"]}
    out.update(chosen)
    return out


def screened(by: Any, household: Any, **chosen: str) -> Any:
    screening, _created = services.record_screening(
        by=by,
        id=uuid.uuid4(),
        household=household,
        screened_on=timezone.localdate(),
        answers=answers(**chosen),
    )
    return screening


def opened_dossier(by: Any, household: Any, scheme: str, members: list[Any] | None = None) -> Any:
    dossier, _created = services.open_dossier(
        by=by,
        id=uuid.uuid4(),
        household=household,
        scheme=scheme,
        members=members or list(household.members.order_by("date_of_birth")),
    )
    return dossier
