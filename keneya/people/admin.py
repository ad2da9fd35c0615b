"""Admin: read-mostly. Registry writes go through the services (forms and API), not here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from keneya.people.models import Household, Person


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ["code", "quartier", "chw", "status"]
    list_filter = ["status", "quartier"]
    search_fields = ["code"]
    raw_id_fields = ["head", "chw"]
    readonly_fields = ["search_text"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["family_name", "given_names", "sex", "date_of_birth", "household"]
    list_filter = ["sex", "vital_status"]
    search_fields = ["name_key", "nina"]
    raw_id_fields = ["household", "merged_into"]
    readonly_fields = ["name_key"]
