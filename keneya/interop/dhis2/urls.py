from django.urls import path

from keneya.interop.dhis2 import views

app_name = "dhis2"

urlpatterns = [
    path("dhis2/", views.home, name="home"),
    path("dhis2/envois/<uuid:push_id>/", views.push_detail, name="push_detail"),
    path("dhis2/<str:period>/", views.month, name="month"),
    path("dhis2/<str:period>/essai/", views.dry_run, name="dry_run"),
    path("dhis2/<str:period>/envoi/", views.push, name="push"),
]
