"""Home page: each role lands where its work is."""

from __future__ import annotations

from typing import Any

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


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Self-service password change: the old password, then the new one twice. Every API token
    of the user is revoked and their other sessions end; this one stays open."""
    from django.contrib import messages
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.forms import PasswordChangeForm
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from keneya.accounts import tokens

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
