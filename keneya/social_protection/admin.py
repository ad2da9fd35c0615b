from django.contrib import admin

from keneya.social_protection.models import Dossier, ScorecardVersion, Screening


@admin.register(ScorecardVersion)
class ScorecardVersionAdmin(admin.ModelAdmin):
    list_display = ("title", "version", "effective_date", "illustrative", "active", "activated_at")
    readonly_fields = ("definition", "activated_at", "activated_by", "loaded_at")


@admin.register(Screening)
class ScreeningAdmin(admin.ModelAdmin):
    list_display = ("household", "screened_on", "score", "band", "validated_at")
    readonly_fields = [f.name for f in Screening._meta.fields]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # a screening is a fact: a later one supersedes it


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ("reference", "scheme", "status", "status_since", "valid_until")
    list_filter = ("scheme", "status")
    readonly_fields = [f.name for f in Dossier._meta.fields]
