"""API routes of the pharmacy app (included under /api/v1/ by keneya/urls.py, before the router)."""

from django.urls import path

from keneya.pharmacy import api

urlpatterns = [
    path("medicines/", api.MedicineList.as_view(), name="api_medicines"),
    path("persons/<uuid:pk>/allergies/", api.PersonAllergies.as_view(), name="api_person_allergies"),
    path(
        "persons/<uuid:pk>/allergies/<uuid:allergy_id>/void/",
        api.AllergyVoid.as_view(),
        name="api_person_allergy_void",
    ),
    path("prescriptions/", api.PrescriptionListCreate.as_view(), name="api_prescriptions"),
    path("prescriptions/check/", api.PrescriptionCheck.as_view(), name="api_prescription_check"),
    path("prescriptions/<uuid:pk>/", api.PrescriptionDetail.as_view(), name="api_prescription"),
    path("prescriptions/<uuid:pk>/pdf/", api.PrescriptionPdf.as_view(), name="api_prescription_pdf"),
    path(
        "prescriptions/<uuid:pk>/items/<uuid:item_id>/stop/",
        api.ItemStop.as_view(),
        name="api_prescription_item_stop",
    ),
]
