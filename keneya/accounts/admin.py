from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from keneya.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "get_full_name", "role", "facility", "is_active"]
    list_filter = ["role", "facility", "is_active"]
    filter_horizontal = ["areas", "groups", "user_permissions"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Rôle et rattachement"), {"fields": ("role", "cadre", "facility", "areas", "phone")}),
    )
