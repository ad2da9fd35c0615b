"""The record's API routes under /api/v1/ (included before the router): the patient summary,
the problem list, the attached documents (``records.summary_api``)."""

from django.urls import path

from keneya.records import summary_api

urlpatterns = [
    path("persons/<uuid:person_id>/summary/", summary_api.PersonSummaryView.as_view(), name="person-summary"),
    path(
        "persons/<uuid:person_id>/problems/", summary_api.PersonProblemsView.as_view(), name="person-problems"
    ),
    path("problems/<uuid:problem_id>/void/", summary_api.ProblemVoidView.as_view(), name="problem-void"),
    path(
        "problems/<uuid:problem_id>/correct/",
        summary_api.ProblemCorrectView.as_view(),
        name="problem-correct",
    ),
    path(
        "persons/<uuid:person_id>/documents/",
        summary_api.PersonDocumentsView.as_view(),
        name="person-documents",
    ),
]
