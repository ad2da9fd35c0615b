"""DRF permissions beyond ``permissions.HasCapability``: a method open to any of several
capabilities, and who may read clinical data through the API (issue #10)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from keneya.accounts.permissions import Capability, has_capability

# Who may read clinical data (visits, alerts, referrals): the clinical roles, and the CHWs who
# record the visits (each sees their own households' by scope).
CLINICAL_READ = (Capability.CLINICAL_VIEW, Capability.VISIT_RECORD)


class HasAnyCapability(BasePermission):
    """DRF permission like ``accounts.permissions.HasCapability``, where a method may name
    several capabilities, any one of which suffices: ``{"GET": (VISIT_RECORD, CLINICAL_VIEW)}``."""

    message = "Votre rôle ne permet pas cette action."

    def has_permission(self, request: Any, view: Any) -> bool:
        needed = getattr(view, "required_capabilities", {})
        capabilities = needed.get(request.method) or needed.get("*")
        if capabilities is None:
            return False
        if isinstance(capabilities, str):
            capabilities = (capabilities,)
        return any(has_capability(request.user, c) for c in capabilities)
