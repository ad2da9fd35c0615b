"""Home page: each role lands where its work is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keneya.accounts.models import Role
from keneya.accounts.permissions import Capability, has_capability


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_view_registry = has_capability(user, Capability.REGISTRY_VIEW)
    # A CSRef specialist's registry is the people referred to the CSRef (no household is in
    # their scope): their tile leads to those people, not to an always-empty household list.
    referred_only = getattr(user, "role", "") == Role.SPECIALIST
    referred_count = None
    if referred_only and user.facility_id:  # type: ignore[union-attr]
        from keneya.referrals.models import Referral

        referred_count = (
            Referral.objects.filter(to_facility_id=user.facility_id)  # type: ignore[union-attr]
            .values("person_id")
            .distinct()
            .count()
        )
    return render(
        request,
        "accounts/home.html",
        {
            "can_view_registry": can_view_registry,
            "can_view_households": can_view_registry and not referred_only,
            "referred_only": referred_only,
            "referred_count": referred_count,
            "can_edit_registry": has_capability(user, Capability.REGISTRY_EDIT),
            "can_view_aggregates": has_capability(user, Capability.AGGREGATES_VIEW),
            "can_triage": has_capability(user, Capability.ALERTS_TRIAGE),
            "can_manage_referrals": has_capability(user, Capability.REFERRAL_MANAGE),
            "is_chw": getattr(user, "role", "") == "chw",
            "can_supervise_sync": has_capability(user, Capability.SYNC_SUPERVISE),
        },
    )
