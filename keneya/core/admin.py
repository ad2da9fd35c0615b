from django.contrib import admin

from keneya.core.models import Area, Facility, Organisation


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin[Area]):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin[Facility]):
    list_display = ["name", "code", "kind", "health_area", "refers_to"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "area", "facility"]
    list_filter = ["kind"]
