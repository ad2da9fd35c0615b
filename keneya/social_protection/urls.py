"""API routes of social protection (included under /api/v1/ by keneya/urls.py)."""

from django.urls import path

from keneya.social_protection import api

urlpatterns = [
    path("social/scorecards/current/", api.ScorecardView.as_view(), name="api_social_scorecard"),
    path("social/screenings/", api.ScreeningListCreate.as_view(), name="api_social_screenings"),
    path(
        "social/screenings/<uuid:pk>/validate/",
        api.ScreeningValidate.as_view(),
        name="api_social_screening_validate",
    ),
    path("social/dossiers/", api.DossierListCreate.as_view(), name="api_social_dossiers"),
    path("social/dossiers/<uuid:pk>/", api.DossierDetail.as_view(), name="api_social_dossier"),
    path(
        "social/dossiers/<uuid:pk>/documents/<uuid:document_id>/",
        api.DocumentUpdate.as_view(),
        name="api_social_document",
    ),
    path(
        "social/dossiers/<uuid:pk>/transition/", api.DossierTransition.as_view(), name="api_social_transition"
    ),
    path("persons/<uuid:pk>/coverage/", api.CoverageView.as_view(), name="api_person_coverage"),
]
