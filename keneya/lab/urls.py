from django.urls import path

from keneya.lab import views

app_name = "lab"

urlpatterns = [
    path("laboratoire/", views.pending, name="pending"),
    path("laboratoire/demandes/<uuid:order_id>/", views.order, name="order"),
    path("laboratoire/resultats/<uuid:result_id>/corriger/", views.result_correct, name="result_correct"),
    path("patients/<uuid:person_id>/examens/", views.person_results, name="person_results"),
    path("patients/<uuid:person_id>/examens/demander/", views.order_create, name="order_create"),
]
