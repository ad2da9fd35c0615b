"""API routes of the laboratory (included under /api/v1/ by keneya/urls.py)."""

from django.urls import path

from keneya.lab import api

urlpatterns = [
    path("lab/tests/", api.TestList.as_view(), name="api_lab_tests"),
    path("lab/orders/", api.OrderListCreate.as_view(), name="api_lab_orders"),
    path("lab/orders/<uuid:pk>/", api.OrderDetail.as_view(), name="api_lab_order"),
    path("lab/orders/<uuid:pk>/results/", api.OrderResults.as_view(), name="api_lab_order_results"),
    path("lab/results/<uuid:pk>/correct/", api.ResultCorrect.as_view(), name="api_lab_result_correct"),
]
