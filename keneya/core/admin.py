from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from keneya.core.models import Area, Facility, Organisation

# The admin is Kènèya's, in French (issue 11 §3).
admin.site.site_header = _("Administration de Kènèya")
admin.site.site_title = _("Kènèya")
admin.site.index_title = _("Administration de Kènèya")


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
