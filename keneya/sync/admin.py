"""Admin: watch tablets and sync conflicts. Revoking and resolving go through the API/services."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from keneya.sync.models import Device, SyncConflict


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["id", "name", "user", "created_at", "last_seen_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["=id", "user__username", "name"]
    exclude = ["token_hash"]


@admin.register(SyncConflict)
class SyncConflictAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "type", "object_id", "field", "kept", "resolved_at"]
    list_filter = ["type", "field", "kept"]
    search_fields = ["=object_id"]
