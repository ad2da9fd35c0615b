"""Pharmacy pages (French paths): prescribing, the prescription and its ordonnance, allergies."""

from django.urls import path

from keneya.pharmacy import views

app_name = "pharmacy"

urlpatterns = [
    path("patients/<uuid:person_id>/prescrire/", views.prescribe, name="prescribe"),
    path("patients/<uuid:person_id>/allergies/", views.allergies, name="allergies"),
    path(
        "patients/<uuid:person_id>/allergies/<uuid:allergy_id>/annuler/",
        views.allergy_void,
        name="allergy_void",
    ),
    path("ordonnances/<uuid:prescription_id>/", views.prescription_detail, name="prescription_detail"),
    path("ordonnances/<uuid:prescription_id>/ordonnance.pdf", views.ordonnance_pdf, name="ordonnance_pdf"),
    path(
        "ordonnances/<uuid:prescription_id>/lignes/<uuid:item_id>/arreter/",
        views.stop_item,
        name="stop_item",
    ),
]
