from django.urls import path

from keneya.indicators import api

urlpatterns = [
    path("indicators/", api.IndicatorListView.as_view(), name="api_indicators"),
    path("indicators/<str:code>/values/", api.IndicatorValuesView.as_view(), name="api_indicator_values"),
    path(
        "indicators/<str:code>/values/<str:cell>/records/",
        api.CellRecordsView.as_view(),
        name="api_indicator_cell_records",
    ),
]
