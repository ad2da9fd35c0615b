"""The DHIS2 mapping, edited by the administrator (French labels); the pushes, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from keneya.interop.dhis2.models import (
    CategoryOptionCombo,
    DataElement,
    DataSet,
    OrgUnit,
    Push,
    PushConflict,
    ValueMapping,
)


@admin.register(DataSet)
class DataSetAdmin(admin.ModelAdmin):
    list_display = ("name", "uid", "code", "period_type")
    search_fields = ("name", "uid", "code")


@admin.register(DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ("name", "uid", "code", "value_type", "data_set")
    list_filter = ("data_set", "value_type")
    search_fields = ("name", "uid", "code")


@admin.register(CategoryOptionCombo)
class CategoryOptionComboAdmin(admin.ModelAdmin):
    list_display = ("name", "uid", "code", "category_combo_uid")
    search_fields = ("name", "uid", "code")


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "uid", "code", "facility")
    list_filter = (("facility", admin.EmptyFieldListFilter),)
    search_fields = ("name", "uid", "code", "facility__name")
    autocomplete_fields = ()


@admin.register(ValueMapping)
class ValueMappingAdmin(admin.ModelAdmin):
    list_display = ("indicator", "cell", "data_element", "category_option_combo")
    list_filter = ("data_element__data_set",)
    search_fields = ("indicator", "cell", "data_element__name", "data_element__uid")
    autocomplete_fields = ("data_element", "category_option_combo")


class PushConflictInline(admin.TabularInline):
    model = PushConflict
    extra = 0
    can_delete = False
    fields = ("indicator", "cell", "facility", "error_code", "object", "value", "advice")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Push)
class PushAdmin(admin.ModelAdmin):
    list_display = ("period", "dry_run", "status", "requested_at", "finished_at", "on_time", "attempts")
    list_filter = ("dry_run", "status", "period")
    inlines = (PushConflictInline,)

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [f.name for f in Push._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False  # pushes start from the DHIS2 page, through the service

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # a push is a fact
