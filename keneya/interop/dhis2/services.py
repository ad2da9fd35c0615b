"""Writes of the DHIS2 adapter: ask for a dry-run or a push of a month (the worker sends it).

The flow (docs/dhis2.md): the month's values are mapped (``mapping.prepare``), a **dry-run**
asks DHIS2 to check them without writing, every conflict is shown against its cell so it is
fixed at the source, then the **push** sends exactly the values the dry-run checked. Both go
through the worker (``tasks.push_to_dhis2``), never from the request.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.permissions import Capability, has_capability
from keneya.interop.dhis2 import client, mapping
from keneya.interop.dhis2.models import FINISHED_STATUSES, Push, PushStatus
from keneya.interop.dhis2.tasks import enqueue_push

DEFAULT_DEADLINE_DAY = 10
CHECKED_STATUSES = (PushStatus.SUCCESS, PushStatus.WARNING, PushStatus.ERROR)


def deadline_for(period: str) -> date:
    """The last day a month's report is on time: ``DHIS2_DEADLINE_DAY`` of the next month."""
    year, month = mapping.parse_period(period)
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)  # noqa: PLR2004
    day = int(getattr(settings, "DHIS2_DEADLINE_DAY", DEFAULT_DEADLINE_DAY))
    return date(year, month, max(1, min(day, calendar.monthrange(year, month)[1])))


def _check(by: Any) -> None:
    if not has_capability(by, Capability.REPORTS_SUBMIT):
        raise PermissionDenied


def latest_dry_run(period: str) -> Push | None:
    return Push.objects.filter(period=period, dry_run=True).order_by("-requested_at").first()


@transaction.atomic
def request_push(*, by: Any, period: str, dry_run: bool, accept_conflicts: bool = False) -> Push:
    """Queue a dry-run or a push of ``period`` (``YYYY-MM``); the worker sends it after commit.

    A real push needs a finished dry-run of exactly the same values; if DHIS2 found conflicts
    in it, the M&E officer must say they accept that those values will be refused.
    """
    _check(by)
    year, month = mapping.parse_period(period)
    today = timezone.localdate()
    if date(year, month, 1) > today:
        raise ValidationError({"period": _("Ce mois n'a pas encore commencé.")})
    if not client.is_configured():
        raise ValidationError(
            _("DHIS2 n'est pas configuré sur ce serveur (adresse et identifiants) : voir l'administrateur.")
        )
    prepared = mapping.prepare(period)
    if not prepared.values:
        raise ValidationError(
            _("Aucune valeur à envoyer pour ce mois : %(n)d cellule(s) sans correspondance.")
            % {"n": len(prepared.unmapped)}
        )
    values_hash = prepared.values_hash()
    if not dry_run:
        busy = Push.objects.filter(period=period, dry_run=False).exclude(status__in=FINISHED_STATUSES)
        if busy.exists():
            raise ValidationError(_("Un envoi de ce mois est déjà en cours."))
        checked = latest_dry_run(period)
        if checked is None or checked.status not in CHECKED_STATUSES or checked.values_hash != values_hash:
            raise ValidationError(
                _("Faites d'abord un essai à blanc de ces valeurs : elles ont changé depuis l'essai.")
                if checked is not None and checked.values_hash != values_hash
                else _("Faites d'abord un essai à blanc et attendez sa réponse.")
            )
        if checked.conflicts.exists() and not accept_conflicts:
            raise ValidationError(
                _(
                    "L'essai à blanc a trouvé des conflits : corrigez-les à la source, ou cochez "
                    "« envoyer malgré les conflits » (les valeurs en conflit seront refusées)."
                )
            )
    scheme = mapping.id_scheme()
    try:
        with transaction.atomic():
            push = Push.objects.create(
                period=period,
                dry_run=dry_run,
                requested_by=by,
                requested_at=timezone.now(),
                data_set_uid=prepared.data_set_uid,
                params=client.import_params(
                    dry_run=dry_run,
                    scheme=scheme,
                    strategy=str(getattr(settings, "DHIS2_IMPORT_STRATEGY", "CREATE_AND_UPDATE")),
                ),
                values=mapping.sources(prepared.values),
                payload=prepared.payload(scheme),
                unmapped=prepared.unmapped,
                values_hash=values_hash,
                deadline=deadline_for(period),
            )
    except IntegrityError as exc:  # another request queued this month's push meanwhile
        raise ValidationError(_("Un envoi de ce mois est déjà en cours.")) from exc
    transaction.on_commit(lambda: enqueue_push(push.pk), robust=True)
    return push
