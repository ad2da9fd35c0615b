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
    path("patients/<uuid:person_id>/carnet.pdf", views.carnet, name="carnet"),
    path("patients/<uuid:person_id>/problemes/", views.problem_add, name="problem_add"),
    path(
        "patients/<uuid:person_id>/diagnostics/<int:diagnosis_id>/probleme/",
        views.problem_from_diagnosis,
        name="problem_from_diagnosis",
    ),
    path(
        "patients/<uuid:person_id>/problemes/<uuid:problem_id>/resolu/",
        views.problem_resolve,
        name="problem_resolve",
    ),
    path(
        "patients/<uuid:person_id>/problemes/<uuid:problem_id>/annuler/",
        views.problem_void,
        name="problem_void",
    ),
    path("patients/<uuid:person_id>/documents/", views.document_upload, name="document_upload"),
    path(
        "patients/<uuid:person_id>/documents/<uuid:document_id>/",
        views.document_file,
        name="document_file",
    ),
    path(
        "patients/<uuid:person_id>/documents/<uuid:document_id>/retirer/",
        views.document_void,
        name="document_void",
    ),
]
