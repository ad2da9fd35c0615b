"""Home page: each role lands where its work is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keneya.accounts.models import Role
from keneya.accounts.permissions import Capability, has_capability
from keneya.core.hooks import Hook

# What the apps above add to the home page: receivers get (user) and return context.
home_page = Hook("home_page", "The home page: (user) -> dict of context (tiles, counts).")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_view_registry = has_capability(user, Capability.REGISTRY_VIEW)
    # A CSRef specialist's registry is the people referred to the CSRef (no household is in
    # their scope): their tile leads to those people, not to an always-empty household list.
    referred_only = getattr(user, "role", "") == Role.SPECIALIST
    context = {
        "referred_count": None,
        "can_view_registry": can_view_registry,
        "can_view_households": can_view_registry and not referred_only,
        "referred_only": referred_only,
        "can_edit_registry": has_capability(user, Capability.REGISTRY_EDIT),
        "can_view_aggregates": has_capability(user, Capability.AGGREGATES_VIEW),
        "can_triage": has_capability(user, Capability.ALERTS_TRIAGE),
        "can_manage_referrals": has_capability(user, Capability.REFERRAL_MANAGE),
        "is_chw": getattr(user, "role", "") == "chw",
        "can_supervise_sync": has_capability(user, Capability.SYNC_SUPERVISE),
    }
    for part in home_page(user):
        context.update(part)
    return render(request, "accounts/home.html", context)
