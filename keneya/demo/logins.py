"""The demo's table of logins: printed after a seed and again each time the demo restarts.

``seed_demo`` writes the logins to ``var/demo-logins.json``; ``keneya demo`` reads that file back
when the data is already there. Both print through ``logins_summary``, so a restart shows the same
French role labels as the first run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from keneya.accounts.models import Role

ROLE_SHORT_LABELS = {
    Role.CHW: "Relais / ASC",
    Role.CLINICIAN: "Clinicien·ne",
    Role.SPECIALIST: "Spécialiste",
    Role.SOCIAL_WORKER: "Travailleur·se social·e",
    Role.LAB_TECHNICIAN: "Laborantin·e",
    Role.TREASURER: "Trésorière",
    Role.FACILITY_MANAGER: "Responsable de structure",
    Role.ME_OFFICER: "Suivi-évaluation",
    Role.ADMIN: "Administrateur",
}

MAX_CHW_ROWS_PRINTED = 40


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str
    facility: str | None
    areas: list[str]
    full_name: str
    role_label: str
    households: int | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> DemoLogin:
        """A row of ``demo-logins.json`` (a file of an older version may lack the label)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in row.items() if k in known}
        values.setdefault("areas", [])
        values.setdefault("facility", None)
        values.setdefault("full_name", "")
        if not values.get("role_label"):
            values["role_label"] = role_label(str(values.get("role", "")))
        return cls(**values)


def role_label(role: str) -> str:
    """The French label of a role code (the code itself if unknown)."""

    labels = {str(key): label for key, label in ROLE_SHORT_LABELS.items()}
    return labels.get(role, role)


def write_logins(path: Path, logins: Iterable[DemoLogin]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps([login.as_json() for login in logins], ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )


def read_logins(path: Path) -> list[DemoLogin]:
    return [DemoLogin.from_json(row) for row in json.loads(path.read_text(encoding="utf-8"))]


def format_logins_table(logins: list[DemoLogin]) -> str:
    headers = ("Identifiant", "Mot de passe", "Nom", "Rôle", "Structure", "Zones")
    rows = [
        (
            login.username,
            login.password,
            login.full_name,
            login.role_label,
            login.facility or "—",
            ", ".join(login.areas)
            + (f" ({login.households} ménages)" if login.households is not None else "")
            or "—",
        )
        for login in logins
    ]
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(tuple("-" * w for w in widths)), *(line(row) for row in rows)])


def logins_summary(logins: list[DemoLogin], path: Path) -> str:
    """Staff first, then the first CHWs; where the full list is."""
    chw_logins = [login for login in logins if login.role == "chw"]
    shown = [login for login in logins if login.role != "chw"] + chw_logins[:MAX_CHW_ROWS_PRINTED]
    password = logins[0].password if logins else ""
    lines = [
        f"Comptes de démonstration (mot de passe pour tous : {password})",
        format_logins_table(shown),
    ]
    if len(chw_logins) > MAX_CHW_ROWS_PRINTED:
        lines.append(f"… et {len(chw_logins) - MAX_CHW_ROWS_PRINTED} autres relais.")
    lines.append(f"Liste complète : {path}")
    return "\n".join(lines)
