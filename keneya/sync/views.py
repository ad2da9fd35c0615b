"""Supervision page: sync conflicts to settle, the sections the apps add (tablets whose
assessment differed from the server's), and the tablets of the area (with revocation).
Facility managers and administrators."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keneya.accounts.permissions import Capability, require_capability
from keneya.sync import queries, services
from keneya.sync.registry import SUPERVISION_PANELS


@require_capability(Capability.SYNC_SUPERVISE)
def supervision(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sync/supervision.html",
        {
            "conflicts": queries.conflict_list(user=request.user, status="open")[:100],
            # Sections the apps add (visits: assessments that differed between tablet and server).
            "panels": [
                {"template": panel.template, "rows": panel.rows(request.user)}
                for panel in SUPERVISION_PANELS.values()
            ],
            "devices": queries.device_list(user=request.user),
        },
    )


@require_capability(Capability.SYNC_SUPERVISE)
@require_POST
def resolve(request: HttpRequest, conflict_id: int) -> HttpResponse:
    conflict = queries.conflicts_visible_to(request.user).filter(pk=conflict_id).first()
    if conflict is None:
        raise Http404
    keep = request.POST.get("keep")
    values: dict[str, Any] = {"server": conflict.server_value, "incoming": conflict.incoming_value}
    if keep not in values:
        messages.error(request, _("Choisissez la valeur à garder."))
        return redirect("sync_supervision")
    try:
        services.resolve_conflict(by=request.user, conflict=conflict, value=values[keep])
    except ValidationError as exc:
        messages.error(request, " ".join(str(m) for m in exc.messages))
    else:
        messages.success(request, _("Conflit réglé : la valeur choisie part vers les tablettes."))
    return redirect("sync_supervision")


@require_capability(Capability.SYNC_SUPERVISE)
@require_POST
def revoke(request: HttpRequest, device_id: Any) -> HttpResponse:
    device = queries.devices_visible_to(request.user).filter(pk=device_id).first()
    if device is None:
        raise Http404
    services.revoke_device(by=request.user, device=device)
    messages.success(request, _("Tablette révoquée : elle se verrouillera à la prochaine synchronisation."))
    return redirect("sync_supervision")
