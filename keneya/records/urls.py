from django.urls import path

from keneya.records import views

app_name = "records"

urlpatterns = [
    path("patients/<uuid:person_id>/", views.patient, name="patient"),
    path("patients/<uuid:person_id>/consultation/", views.consultation_create, name="consultation_create"),
    path("cim10/", views.icd10_search, name="icd10_search"),
    path("patients/<uuid:person_id>/acces-urgence/", views.break_glass, name="break_glass"),
    path("patients/<uuid:person_id>/journal-des-acces/", views.access_log, name="access_log"),
    path("patients/<uuid:person_id>/donnees/", views.person_export, name="person_export"),
    path("patients/<uuid:person_id>/anonymiser/", views.anonymise, name="anonymise"),
    path("supervision/acces-urgence/", views.break_glass_list, name="break_glass_list"),
]
