from django.urls import path

from keneya.records import views

app_name = "records"

urlpatterns = [
    path("patients/<uuid:person_id>/", views.patient, name="patient"),
    path("patients/<uuid:person_id>/consultation/", views.consultation_create, name="consultation_create"),
    path("cim10/", views.icd10_search, name="icd10_search"),
]
