from django.urls import path

from keneya.alerts import views

app_name = "alerts"

urlpatterns = [
    path("alertes/", views.alert_inbox, name="alert_inbox"),
    path("alertes/<uuid:alert_id>/prise-en-compte/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alertes/<uuid:alert_id>/convocation/", views.alert_convoke, name="alert_convoke"),
    path("alertes/<uuid:alert_id>/cloture/", views.alert_close, name="alert_close"),
]
