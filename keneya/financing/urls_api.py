"""API routes of the savings groups (included under /api/v1/ by keneya/urls.py)."""

from django.urls import path

from keneya.financing import api

urlpatterns = [
    path("financing/groups/", api.GroupList.as_view(), name="api_financing_groups"),
    path("financing/groups/<uuid:pk>/", api.GroupDetail.as_view(), name="api_financing_group"),
    path("financing/groups/<uuid:pk>/balances/", api.Balances.as_view(), name="api_financing_balances"),
    path("financing/groups/<uuid:pk>/loans/", api.LoanCreate.as_view(), name="api_financing_loans"),
    path("financing/groups/<uuid:pk>/meetings/", api.MeetingCreate.as_view(), name="api_financing_meetings"),
    path("financing/loans/<uuid:pk>/", api.LoanDetail.as_view(), name="api_financing_loan"),
    path(
        "financing/loans/<uuid:pk>/repayments/",
        api.RepaymentCreate.as_view(),
        name="api_financing_repayments",
    ),
    path("financing/summary/", api.Summary.as_view(), name="api_financing_summary"),
]
