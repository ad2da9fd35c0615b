"""Every read of a person's data leaves a trace (issue #10).

One mechanism for every page and endpoint: ``AccessLogMiddleware`` looks up the URL name of
each successful ``GET`` in a registry of reads and writes the ``RecordAccess`` rows of the
persons it read, in one INSERT after the view has answered (it never runs for a 403, a 404 or
an error). Adding an endpoint that shows a person's data is one line::

    register_read("people:person_detail", "person_page", by_person("person_id"))

``by_person``, ``by_household``, ``by_object`` and ``from_results`` say how to find the persons
read from the view's URL arguments (or the answer's rows); ``None`` logs one row without a
person, for a list or a search (no query string, no name). An app above ``records`` registers
its reads in its ``AppConfig.ready()``; the reads of the apps below are listed at the end of
this module.

Not logged, on purpose: the offline app's sync pulls (``/api/v1/sync/pull/``) carry the CHW's
own zone to their tablet, which they then read offline; what is logged there is the tablet's
registration and the change log. Writes are traced by django-simple-history and the services.

Break the glass: ``open_break_glass`` gives a clinician a grant on one person outside their
scope for ``KENEYA_BREAK_GLASS_HOURS`` (24 by default), with a reason; ``accounts.scope``
honours unexpired grants; every read through a grant is logged with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.models import Role
from keneya.accounts.scope import BREAK_GLASS_ROLES
from keneya.people.scope import persons_visible_to
from keneya.records.models import BreakGlassGrant, RecordAccess

# Who sees a person's access log and the break-glass list: the facility manager (persons in
# their scope, grants of their facility) and the administrator.
AUDIT_ROLES = frozenset({Role.FACILITY_MANAGER, Role.ADMIN})
REASON_MAX = 300
REASON_HEADER = "X-Access-Reason"  # an optional reason for an API read, logged with it

PersonIds = Callable[[HttpRequest, dict[str, Any], HttpResponse], Iterable[Any] | None]


@dataclass(frozen=True)
class Read:
    action: str
    persons: PersonIds | None
    methods: frozenset[str]


READS: dict[str, Read] = {}


def register_read(
    url_name: str,
    action: str,
    persons: PersonIds | None = None,
    *,
    methods: Iterable[str] = ("GET", "HEAD"),
) -> None:
    """Log ``action`` for each successful request to ``url_name`` (namespaced: "people:person_detail",
    DRF: "person-detail"). ``persons`` gives the ids of the persons read; None: one row, no person."""
    READS[url_name] = Read(action, persons, frozenset(m.upper() for m in methods))


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def by_person(kwarg: str) -> PersonIds:
    """The URL argument ``kwarg`` is the person's id."""

    def persons(request: HttpRequest, kwargs: dict[str, Any], response: HttpResponse) -> list[Any]:
        person_id = _uuid(kwargs.get(kwarg))
        return [person_id] if person_id else []

    return persons


def by_household(kwarg: str) -> PersonIds:
    """The URL argument ``kwarg`` is a household: its active members were read."""

    def persons(request: HttpRequest, kwargs: dict[str, Any], response: HttpResponse) -> list[Any]:
        from keneya.people.models import Person

        household_id = _uuid(kwargs.get(kwarg))
        if household_id is None:
            return []
        members = Person.objects.filter(household_id=household_id, merged_into__isnull=True)
        return list(members.values_list("pk", flat=True))

    return persons


def by_object(model: type[Model], kwarg: str, field: str = "person_id") -> PersonIds:
    """The URL argument ``kwarg`` is a ``model`` row (a visit, a consultation...) of one person."""

    def persons(request: HttpRequest, kwargs: dict[str, Any], response: HttpResponse) -> list[Any]:
        object_id = _uuid(kwargs.get(kwarg))
        if object_id is None:
            return []
        return list(model._default_manager.filter(pk=object_id).values_list(field, flat=True))

    return persons


def from_results(param: str, field: str = "person") -> PersonIds:
    """A list filtered on one person (``?person=<id>``): the persons of the answer's rows. Without
    the filter, the list is one row without a person."""

    def persons(request: HttpRequest, kwargs: dict[str, Any], response: HttpResponse) -> list[Any] | None:
        if not request.GET.get(param):
            return None
        data = getattr(response, "data", None)
        rows = data.get("results", []) if isinstance(data, dict) else data or []
        ids = {_uuid(row.get(field)) for row in rows if isinstance(row, dict)}
        return [i for i in ids if i is not None]

    return persons


def log_reads(
    *,
    user: Any,
    action: str,
    person_ids: Iterable[Any] | None,
    reason: str = "",
    grant: BreakGlassGrant | None = None,
) -> int:
    """Append the access rows of one read (one per person; one without a person for a list).
    Reads through a break-glass grant are linked to it. Returns the number of rows."""
    now = timezone.now()
    reason = (reason or "")[:REASON_MAX]
    if person_ids is None:
        RecordAccess.objects.create(user=user, person=None, at=now, action=action, reason=reason)
        return 1
    ids = [i for i in dict.fromkeys(_uuid(pid) for pid in person_ids) if i is not None]
    if not ids:
        return 0
    if grant is not None:
        RecordAccess.objects.bulk_create(
            [
                RecordAccess(user=user, person_id=pid, at=now, action=action, reason=reason, grant=grant)
                for pid in ids
            ]
        )
        return len(ids)
    return _insert_reads(user=user, action=action, person_ids=ids, reason=reason, at=now)


def _insert_reads(*, user: Any, action: str, person_ids: list[uuid.UUID], reason: str, at: Any) -> int:
    """One INSERT ... SELECT: a row per person, linked to the user's unexpired break-glass grant
    on that person when there is one (found by the same statement)."""
    from keneya.people.models import Person

    connection = connections[RecordAccess.objects.db]
    quote = connection.ops.quote_name
    access_table, grant_table = RecordAccess._meta.db_table, BreakGlassGrant._meta.db_table
    pk_field: Any = Person._meta.pk
    at_db = connection.ops.adapt_datetimefield_value(at)
    if user.role in BREAK_GLASS_ROLES:
        grant_sql = (
            f"(SELECT g.{quote('id')} FROM {quote(grant_table)} g WHERE g.{quote('user_id')} = %s"  # noqa: S608 (names only)
            f" AND g.{quote('person_id')} = p.{quote('id')} AND g.{quote('expires_at')} > %s"
            f" ORDER BY g.{quote('expires_at')} DESC LIMIT 1)"
        )
        grant_params: list[Any] = [user.pk, at_db]
    else:
        grant_sql, grant_params = "NULL", []
    placeholders = ", ".join(["%s"] * len(person_ids))
    # On PostgreSQL, a row written on its own (not inside another write's transaction) does not
    # wait for the disk: synchronous_commit is set off for this one statement's transaction
    # (a crash of the database server may lose the last fraction of a second of rows; never
    # corrupts them). A clinical write's transaction is never touched.
    fast = connection.vendor == "postgresql" and not connection.in_atomic_block
    prefix = "WITH nowait AS (SELECT set_config('synchronous_commit', 'off', true)) " if fast else ""
    source = f"{quote(Person._meta.db_table)} p" + (" CROSS JOIN nowait" if fast else "")
    sql = (
        f"{prefix}INSERT INTO {quote(access_table)} ({quote('person_id')}, {quote('user_id')}, {quote('at')},"  # noqa: S608
        f" {quote('action')}, {quote('reason')}, {quote('grant_id')})"
        f" SELECT p.{quote('id')}, %s, %s, %s, %s, {grant_sql}"
        f" FROM {source} WHERE p.{quote('id')} IN ({placeholders})"
    )
    params = [user.pk, at_db, action, reason, *grant_params]
    params += [pk_field.get_db_prep_value(pid, connection) for pid in person_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


class AccessLogMiddleware:
    """Writes the access rows of the registered reads (``READS``) after a successful answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if match is None or not 200 <= response.status_code < 300:
            return response
        read = READS.get(match.view_name)
        if read is None or request.method not in read.methods:
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        person_ids = None if read.persons is None else read.persons(request, match.kwargs, response)
        log_reads(
            user=user,
            action=read.action,
            person_ids=person_ids,
            reason=request.headers.get(REASON_HEADER, ""),
        )
        return response


# --- Break the glass -----------------------------------------------------------------------------


def break_glass_hours() -> float:
    return float(getattr(settings, "KENEYA_BREAK_GLASS_HOURS", 24))


def may_break_glass(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.role in BREAK_GLASS_ROLES
    )


@transaction.atomic
def open_break_glass(
    *, by: Any, person_id: Any, reason: str, via: str = "break_glass"
) -> BreakGlassGrant | None:
    """Open one person's record outside ``by``'s scope for ``KENEYA_BREAK_GLASS_HOURS``.

    PermissionDenied for a role that may not; ValidationError without a reason; Person.DoesNotExist
    for an unknown or merged id. None when the person is already in scope (nothing to open).
    The grant is logged as an access with its reason.
    """
    from keneya.people.models import Person

    if not may_break_glass(by):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": [_("Indiquez le motif de l'accès (5 caractères au moins).")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("Motif trop long (300 caractères au plus).")]})
    pid = _uuid(person_id)
    person = Person.objects.filter(pk=pid, merged_into__isnull=True).first() if pid else None
    if person is None:
        raise Person.DoesNotExist
    if persons_visible_to(by).filter(pk=person.pk).exists():
        return None
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=by,
        person=person,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(hours=break_glass_hours()),
    )
    log_reads(user=by, action=via, person_ids=[person.pk], reason=reason, grant=grant)
    return grant


# --- Reading the log -----------------------------------------------------------------------------


def may_audit(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in AUDIT_ROLES)


def audited_person(*, user: Any, person_id: Any) -> Any:
    """The person whose log ``user`` may read: PermissionDenied for other roles, DoesNotExist
    outside their scope (the facility manager: persons they see; the administrator: all)."""
    from keneya.people.models import Person

    if not may_audit(user):
        raise PermissionDenied
    pid = _uuid(person_id)
    if pid is None:
        raise Person.DoesNotExist
    return persons_visible_to(user).select_related("household", "household__quartier").get(pk=pid)


def access_log(*, person: Any) -> QuerySet[RecordAccess]:
    """The person's accesses, newest first."""
    return RecordAccess.objects.filter(person=person).select_related("user", "grant").order_by("-at", "-id")


def access_entry(row: RecordAccess) -> dict[str, Any]:
    return {
        "user": row.user.username,
        "user_name": row.user.get_full_name() or row.user.username,
        "role": row.user.role,
        "at": row.at.isoformat(),
        "action": row.action,
        "reason": row.reason or (row.grant.reason if row.grant else ""),
        "break_glass": row.grant_id is not None,
    }


def break_glass_grants(*, user: Any) -> QuerySet[BreakGlassGrant]:
    """The break-glass accesses a supervisor is shown, newest first: those of their facility's
    staff and those on persons of their scope (administrator: all)."""
    if not may_audit(user):
        raise PermissionDenied
    grants = BreakGlassGrant.objects.select_related(
        "user", "user__facility", "person", "person__household"
    ).order_by("-granted_at", "-id")
    if user.role == Role.ADMIN:
        return grants
    in_scope = persons_visible_to(user).values("pk")
    condition = Q(person__in=in_scope)
    if user.facility_id:
        condition |= Q(user__facility_id=user.facility_id)
    return grants.filter(condition)


# --- The reads of the apps below records (one line each) ----------------------------------------


def _register_core_reads() -> None:
    from keneya.alerts.models import Alert
    from keneya.records.models import Consultation
    from keneya.referrals.models import Referral
    from keneya.visits.models import Visit

    # Registry
    register_read("people:person_detail", "person_page", by_person("person_id"))
    register_read("people:person_death", "person_death_form", by_person("person_id"))
    register_read("person-detail", "person_api", by_person("pk"))
    register_read("people:household_detail", "household_page", by_household("household_id"))
    register_read("people:member_create", "member_form", by_household("household_id"))
    register_read("household-detail", "household_api", by_household("pk"))
    register_read("people:household_list", "household_list_page")
    register_read("household-list", "household_list_api")
    register_read("person-list", "person_list_api")
    register_read("person-similar", "person_similar_api")
    # Visits
    register_read("person-visits", "person_visits_api", by_person("pk"))
    register_read("visits:visit_result", "visit_page", by_object(Visit, "visit_id"))
    register_read("visits:visit_new", "visit_form", by_person("person_id"))
    register_read("visits:visit_create", "visit_form", by_person("person_id"))
    register_read("visit-detail", "visit_api", by_object(Visit, "pk"))
    register_read("visit-list", "visit_list_api")
    # Alerts and referrals
    register_read("alert-detail", "alert_api", by_object(Alert, "pk"))
    register_read("alert-events", "alert_events_api", by_object(Alert, "pk"))
    register_read("alert-list", "alert_list_api")
    register_read("alerts:alert_inbox", "alert_inbox_page")
    register_read("referral-detail", "referral_api", by_object(Referral, "pk"))
    register_read("referrals:referral_slip", "referral_slip", by_object(Referral, "referral_id"))
    register_read("referrals:refer_to_csref", "refer_to_csref_form", by_person("person_id"))
    register_read("referral-list", "referral_list_api")
    register_read("referrals:referral_list", "referral_list_page")
    # The record
    register_read("records:patient", "patient_page", by_person("person_id"))
    register_read("records:consultation_create", "consultation_form", by_person("person_id"))
    register_read("consultation-detail", "consultation_api", by_object(Consultation, "pk"))
    register_read("consultation-list", "consultation_list_api", from_results("person"))
    register_read("records:access_log", "access_log_page", by_person("person_id"))
    register_read("person-access-log", "access_log_api", by_person("person_id"))
    register_read("records:person_export", "person_export_page", by_person("person_id"))
    register_read("person-export", "person_export_api", by_person("person_id"))
    # The summary, the problem list, the documents, the carnet (issue #14)
    register_read("person-summary", "summary_api", by_person("person_id"))
    register_read("person-problems", "problems_api", by_person("person_id"))
    register_read("person-documents", "documents_api", by_person("person_id"))
    register_read("records:carnet", "carnet_pdf", by_person("person_id"))
    register_read("records:document_file", "record_document_file", by_person("person_id"))
    # Indicators: the records behind a cell (keneya/indicators). The persons whose names were
    # shown; one row without a person when only the count was (the M&E officer).
    register_read("indicators:cell_records", "indicator_records_page", persons_shown)
    register_read("api_indicator_cell_records", "indicator_records_api", persons_shown)


def persons_shown(request: HttpRequest, kwargs: dict[str, Any], response: HttpResponse) -> list[Any] | None:
    """The persons a drill-down answer named: its ``records`` rows (API) or the ids the page
    set on its response; None (one row, no person) when it showed counts only."""
    data = getattr(response, "data", None)
    if isinstance(data, dict):
        ids = [row.get("person") for row in data.get("records", []) if isinstance(row, dict)]
    else:
        ids = list(getattr(response, "persons_shown", []) or [])
    ids = [i for i in ids if i]
    return ids or None
