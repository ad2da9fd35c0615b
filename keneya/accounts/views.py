"""Home page: each role lands where its work is."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from keneya.accounts import tokens
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


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Self-service password change: the old password, then the new one twice. Every API token
    of the user is revoked and their other sessions end; this one stays open."""
    user: Any = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tokens.set_password(by=user, user=user, new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(
                request, _("Mot de passe changé. Vos autres sessions et jetons d'API sont fermés.")
            )
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)
