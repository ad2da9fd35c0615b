from django.urls import path

from keneya.people import views

app_name = "people"

urlpatterns = [
    path("menages/", views.household_list, name="household_list"),
    path("menages/nouveau/", views.household_create, name="household_create"),
    path("menages/<uuid:household_id>/", views.household_detail, name="household_detail"),
    path("menages/<uuid:household_id>/membres/nouveau/", views.member_create, name="member_create"),
    path("personnes/similaires/", views.similar_check, name="similar_check"),
    path("personnes/<uuid:person_id>/", views.person_detail, name="person_detail"),
    path("personnes/<uuid:person_id>/deces/", views.person_death, name="person_death"),
    path("personnes/<uuid:person_id>/modifier/", views.person_edit, name="person_edit"),
    path("statistiques/registre/", views.registry_statistics, name="statistics"),
]
