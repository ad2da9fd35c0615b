"""The installable CHW app under /chw/ (the service worker's scope)."""

from django.urls import path

from keneya.pwa import views

app_name = "pwa"

urlpatterns = [
    path("", views.shell, name="shell"),
    path("session.json", views.session, name="session"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
    path("engine-data.json", views.engine_data, name="engine_data"),
]
