from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from keneya.accounts import tokens
from keneya.accounts.models import ApiToken, User


class ResetPasswordForm(AdminPasswordChangeForm):
    """The administrator's password reset (admin › utilisateur › « Mot de passe »): no e-mail;
    the user's API tokens and sessions end (accounts/tokens.py)."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit:
            tokens.revoke_all_tokens(user)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "get_full_name", "role", "facility", "is_active"]
    list_filter = ["role", "facility", "is_active"]
    filter_horizontal = ["areas", "groups", "user_permissions"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Rôle et rattachement"), {"fields": ("role", "cadre", "facility", "areas", "phone")}),
    )
    change_password_form = ResetPasswordForm
    actions = ["deactivate"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and not obj.is_active:
            tokens.revoke_all_tokens(obj)  # a deactivated account keeps no API token

    @admin.action(description=_("Désactiver les comptes et révoquer leurs jetons"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            tokens.deactivate_user(by=request.user, user=user)
        messages.success(request, _("Comptes désactivés ; jetons et sessions révoqués."))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Issued API tokens (their hash only): deleting one revokes it."""

    list_display = ["user", "created_at", "expires_at"]
    list_filter = ["expires_at"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "created_at", "expires_at"]
    fields = ["user", "created_at", "expires_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# DRF's own token admin would create plain-text tokens that no longer authenticate.
try:
    from rest_framework.authtoken.models import TokenProxy

    admin.site.unregister(TokenProxy)
except (ImportError, NotRegistered):
    pass
