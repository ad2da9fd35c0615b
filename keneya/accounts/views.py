"""Home page: each role lands where its work is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keneya.accounts.permissions import Capability, has_capability


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/home.html",
        {
            "can_view_registry": has_capability(user, Capability.REGISTRY_VIEW),
            "can_edit_registry": has_capability(user, Capability.REGISTRY_EDIT),
            "can_view_aggregates": has_capability(user, Capability.AGGREGATES_VIEW),
            "can_triage": has_capability(user, Capability.ALERTS_TRIAGE),
            "can_manage_referrals": has_capability(user, Capability.REFERRAL_MANAGE),
            "is_chw": getattr(user, "role", "") == "chw",
            "can_supervise_sync": has_capability(user, Capability.SYNC_SUPERVISE),
        },
    )
