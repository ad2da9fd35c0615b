"""API routes of the DHIS2 adapter (included under /api/v1/ by keneya/urls.py)."""

from django.urls import path

from keneya.interop.dhis2 import api

urlpatterns = [
    path("dhis2/pushes/", api.PushList.as_view(), name="api_dhis2_pushes"),
    path("dhis2/pushes/<uuid:pk>/", api.PushDetail.as_view(), name="api_dhis2_push"),
]
