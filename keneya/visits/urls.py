from django.urls import path

from keneya.visits import views

app_name = "visits"

urlpatterns = [
    path("personnes/<uuid:person_id>/visites/nouvelle/", views.visit_new, name="visit_new"),
    path(
        "personnes/<uuid:person_id>/visites/nouvelle/<slug:kind_slug>/",
        views.visit_create,
        name="visit_create",
    ),
    path("visites/<uuid:visit_id>/", views.visit_result, name="visit_result"),
]
