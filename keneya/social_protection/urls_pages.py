"""Pages of social protection (French paths), included at the root by keneya/urls.py."""

from django.urls import path

from keneya.social_protection import views

app_name = "social_protection"

urlpatterns = [
    path("protection-sociale/", views.dossier_list, name="dossier_list"),
    path("protection-sociale/programme/", views.programme, name="programme"),
    path(
        "protection-sociale/depistages/<uuid:screening_id>/valider/",
        views.screening_validate,
        name="screening_validate",
    ),
    path("protection-sociale/menages/<uuid:household_id>/ouvrir/", views.dossier_open, name="dossier_open"),
    path("protection-sociale/dossiers/<uuid:dossier_id>/", views.dossier_detail, name="dossier_detail"),
    path(
        "protection-sociale/dossiers/<uuid:dossier_id>/pieces/<uuid:document_id>/",
        views.document_update,
        name="document_update",
    ),
    path("protection-sociale/dossiers/<uuid:dossier_id>/etape/", views.dossier_transition, name="transition"),
    path(
        "protection-sociale/dossiers/<uuid:dossier_id>/lettre-au-maire.pdf",
        views.letter_to_mayor,
        name="letter_to_mayor",
    ),
    path("protection-sociale/dossiers/<uuid:dossier_id>/pieces.pdf", views.checklist, name="checklist"),
    path(
        "protection-sociale/dossiers/<uuid:dossier_id>/rendez-vous/",
        views.appointment_create,
        name="appointment_create",
    ),
    path(
        "protection-sociale/rendez-vous/<uuid:appointment_id>/fait/",
        views.appointment_done,
        name="appointment_done",
    ),
    path(
        "protection-sociale/dossiers/<uuid:dossier_id>/rappeler-pieces/",
        views.remind_documents,
        name="remind_documents",
    ),
    path(
        "protection-sociale/dossiers/<uuid:dossier_id>/pieces/<uuid:document_id>/fichier/",
        views.document_upload,
        name="document_upload",
    ),
    path(
        "protection-sociale/dossiers/<uuid:dossier_id>/fichiers/<uuid:file_id>/",
        views.document_file,
        name="document_file",
    ),
    path(
        "protection-sociale/dossiers/<uuid:dossier_id>/cotisations/",
        views.contribution_create,
        name="contribution_create",
    ),
    path(
        "protection-sociale/dossiers/<uuid:dossier_id>/cotisations/<uuid:payment_id>/annuler/",
        views.contribution_void,
        name="contribution_void",
    ),
]
