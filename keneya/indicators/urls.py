from django.urls import path

from keneya.indicators import views

app_name = "indicators"

urlpatterns = [
    path("indicateurs/", views.dashboard, name="dashboard"),
    path("indicateurs/impact/", views.impact, name="impact"),
    path("indicateurs/completude/", views.completeness, name="completeness"),
    path("indicateurs/rapports/", views.report_list, name="reports"),
    path("indicateurs/rapports/<uuid:export_id>/", views.report_status, name="report_status"),
    path("indicateurs/rapports/<uuid:export_id>/fichier/", views.report_download, name="report_download"),
    path("indicateurs/objectifs/", views.target_list, name="targets"),
    path("indicateurs/<str:code>/", views.detail, name="detail"),
    path("indicateurs/<str:code>/enregistrements/", views.cell_records, name="cell_records"),
]
