"""Errors shared by the services of every app (no Django REST framework here).

``IdTaken``: an idempotent create ("send the same id again, get the same record") met an id
already used by a record the caller may not read, or by another kind of record. The answer must
reveal nothing of that record, not even which one it is: the same message whatever the record,
and through the API the same 409 body (``keneya.core.api.exception_handler``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_TAKEN_CODE = "id_taken"
ID_TAKEN_MESSAGE = _("Cet identifiant est déjà utilisé.")


class IdTaken(ValidationError):
    """A client id already taken: keyed by ``id`` (a form or a sync record shows it there);
    the API answers ``409 {"code": "id_taken", "detail": "Cet identifiant est déjà utilisé."}``."""

    def __init__(self) -> None:
        super().__init__({"id": [ValidationError(ID_TAKEN_MESSAGE, code=ID_TAKEN_CODE)]})
