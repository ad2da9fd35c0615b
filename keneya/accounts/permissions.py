"""What each role may do. One table, read by the web views, the API and the permission-matrix test.

Whose data a user sees is a separate question, answered in ``scope.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from keneya.accounts.models import Role


class Capability:
    REGISTRY_VIEW = "registry.view"  # households and persons, with names
    REGISTRY_EDIT = "registry.edit"  # register, add, move, record a death
    REGISTRY_MERGE = "registry.merge"  # merge duplicate persons
    AGGREGATES_VIEW = "aggregates.view"  # counts by area, sex, age band; no names
    VISIT_RECORD = "visits.record"  # record a home visit (CHW)
    CLINICAL_VIEW = "clinical.view"  # visits, assessments, alerts, referrals, record
    ALERTS_TRIAGE = "alerts.triage"  # acknowledge, convoke, close alerts
    REFERRAL_MANAGE = "referrals.manage"  # arrival, counter-referral, CSCom → CSRef
    CONSULTATION_RECORD = "records.consult"  # record a consultation
    REGISTRY_ASSIGN = "registry.assign"  # assign a household to another CHW
    SYNC_DEVICE = "sync.device"  # register a tablet, push and pull (CHW)
    SYNC_SUPERVISE = "sync.supervise"  # list and revoke tablets, resolve sync conflicts
    SOCIAL_SCREEN = "social.screen"  # screen a household for social protection (CHW, social worker)
    SOCIAL_CASEWORK = "social.casework"  # dossiers, their documents and steps (social worker)
    COVERAGE_VIEW = "social.coverage"  # see a person's coverage (RAMED, mutuelle...)
    SOCIAL_CONFIGURE = "social.configure"  # load and activate scorecard versions (administrator)
    PRESCRIBE = "records.prescribe"  # prescriptions and the printed ordonnance (clinician)
    LAB_ORDER = "lab.order"  # request point-of-care lab tests (clinician)
    LAB_RESULT = "lab.result"  # the laboratory's pending list and result entry (lab technician)
    REPORTS_SUBMIT = "indicators.submit"  # monthly reports, targets, the DHIS2 push (M&E officer)
    FINANCING_RECORD = "financing.record"  # a savings group's money: meetings, loans (treasurer)


ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.CHW: frozenset(
        {
            Capability.REGISTRY_VIEW,
            Capability.REGISTRY_EDIT,
            Capability.VISIT_RECORD,
            Capability.SYNC_DEVICE,
            Capability.SOCIAL_SCREEN,
            Capability.COVERAGE_VIEW,
            # A CHW may facilitate savings groups: scope (keneya.financing.queries) limits it to hers.
            Capability.FINANCING_RECORD,
        }
    ),
    Role.CLINICIAN: frozenset(
        {
            Capability.REGISTRY_VIEW,
            Capability.REGISTRY_EDIT,
            Capability.CLINICAL_VIEW,
            Capability.ALERTS_TRIAGE,
            Capability.REFERRAL_MANAGE,
            Capability.CONSULTATION_RECORD,
            Capability.COVERAGE_VIEW,
            Capability.PRESCRIBE,
            Capability.LAB_ORDER,
        }
    ),
    Role.SPECIALIST: frozenset(
        {
            Capability.REGISTRY_VIEW,
            Capability.CLINICAL_VIEW,
            Capability.REFERRAL_MANAGE,
            Capability.CONSULTATION_RECORD,
            Capability.COVERAGE_VIEW,
            Capability.PRESCRIBE,
            Capability.LAB_ORDER,
        }
    ),
    Role.SOCIAL_WORKER: frozenset(
        {
            Capability.REGISTRY_VIEW,
            Capability.REGISTRY_EDIT,
            Capability.SOCIAL_SCREEN,
            Capability.SOCIAL_CASEWORK,
            Capability.COVERAGE_VIEW,
        }
    ),
    Role.LAB_TECHNICIAN: frozenset({Capability.LAB_RESULT}),
    Role.TREASURER: frozenset({Capability.FINANCING_RECORD}),
    Role.FACILITY_MANAGER: frozenset(
        {
            Capability.REGISTRY_VIEW,
            Capability.REGISTRY_EDIT,
            Capability.REGISTRY_MERGE,
            Capability.AGGREGATES_VIEW,
            Capability.CLINICAL_VIEW,
            Capability.ALERTS_TRIAGE,
            Capability.REFERRAL_MANAGE,
            Capability.REGISTRY_ASSIGN,
            Capability.SYNC_SUPERVISE,
            Capability.COVERAGE_VIEW,
        }
    ),
    Role.ME_OFFICER: frozenset({Capability.AGGREGATES_VIEW, Capability.REPORTS_SUBMIT}),
    Role.ADMIN: frozenset(
        {
            Capability.REGISTRY_VIEW,
            Capability.REGISTRY_EDIT,
            Capability.REGISTRY_MERGE,
            Capability.AGGREGATES_VIEW,
            Capability.CLINICAL_VIEW,
            Capability.VISIT_RECORD,
            Capability.ALERTS_TRIAGE,
            Capability.REFERRAL_MANAGE,
            Capability.CONSULTATION_RECORD,
            Capability.REGISTRY_ASSIGN,
            Capability.SYNC_SUPERVISE,
            Capability.SOCIAL_SCREEN,
            Capability.SOCIAL_CASEWORK,
            Capability.COVERAGE_VIEW,
            Capability.SOCIAL_CONFIGURE,
            Capability.PRESCRIBE,
            Capability.LAB_ORDER,
            Capability.LAB_RESULT,
            Capability.REPORTS_SUBMIT,
            Capability.FINANCING_RECORD,
        }
    ),
}


def has_capability(user: Any, capability: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


def require_capability(capability: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: login required (redirect), then the capability (403 otherwise)."""
    from django.contrib.auth.decorators import login_required

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not has_capability(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


class HasCapability(BasePermission):
    """DRF permission: the view declares ``required_capabilities = {"GET": ..., "POST": ...}``."""

    message = "Votre rôle ne permet pas cette action."

    def has_permission(self, request: Any, view: Any) -> bool:
        needed = getattr(view, "required_capabilities", {})
        capability = needed.get(request.method) or needed.get("*")
        if capability is None:
            return False
        return has_capability(request.user, capability)
