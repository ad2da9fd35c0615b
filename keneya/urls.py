"""URL map: web pages in French, the API under /api/v1/, the OpenAPI schema and docs."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from keneya.accounts.api import LogoutView, ObtainTokenView
from keneya.accounts.views import home
from keneya.alerts.api import AlertViewSet
from keneya.people.api import HouseholdViewSet, PersonViewSet
from keneya.records.access_api import PersonAccessLogView, PersonBreakGlassView, PersonExportView
from keneya.records.api import ConsultationViewSet, Icd10SearchView
from keneya.referrals.api import ReferralViewSet
from keneya.sync import views as sync_views
from keneya.visits.api import PersonVisitsView, VisitViewSet
from keneya.worklist import views as worklist_views
from keneya.worklist.api import TaskListView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("households", HouseholdViewSet, basename="household")
router.register("persons", PersonViewSet, basename="person")
router.register("visits", VisitViewSet, basename="visit")
router.register("alerts", AlertViewSet, basename="alert")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("consultations", ConsultationViewSet, basename="consultation")

urlpatterns = [
    path("", home, name="home"),
    path("comptes/", include("keneya.accounts.urls")),
    path("", include("keneya.people.urls")),
    path("", include("keneya.visits.urls")),
    path("", include("keneya.alerts.urls")),
    path("", include("keneya.referrals.urls")),
    path("", include("keneya.records.urls")),
    path("", include("keneya.social_protection.urls_pages")),
    path("", include("keneya.pharmacy.urls")),
    path("", include("keneya.lab.urls")),
    path("", include("keneya.financing.urls")),
    path("", include("keneya.indicators.urls")),
    path("", include("keneya.interop.dhis2.urls")),
    path("chw/", include("keneya.pwa.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", RedirectView.as_view(url=static("keneya/favicon.ico"), permanent=True)),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api_token"),
    path("api/v1/auth/logout/", LogoutView.as_view(), name="api_logout"),
    path("api/v1/icd10/", Icd10SearchView.as_view(), name="api_icd10"),
    path("api/v1/tasks/", TaskListView.as_view(), name="api_tasks"),
    path("taches/", worklist_views.task_list, name="tasks"),
    path("api/v1/sync/", include("keneya.sync.urls")),
    path("supervision/synchronisation/", sync_views.supervision, name="sync_supervision"),
    path(
        "supervision/synchronisation/conflits/<int:conflict_id>/",
        sync_views.resolve,
        name="sync_conflict_resolve",
    ),
    path(
        "supervision/synchronisation/tablettes/<uuid:device_id>/revoquer/",
        sync_views.revoke,
        name="sync_device_revoke",
    ),
    # Access log, break the glass, a person's data (keneya/records/access_api.py).
    path(
        "api/v1/persons/<uuid:person_id>/access-log/",
        PersonAccessLogView.as_view(),
        name="person-access-log",
    ),
    path(
        "api/v1/persons/<uuid:person_id>/break-glass/",
        PersonBreakGlassView.as_view(),
        name="person-break-glass",
    ),
    path("api/v1/persons/<uuid:person_id>/export/", PersonExportView.as_view(), name="person-export"),
    path("api/v1/", include("keneya.records.urls_api")),
    path("api/v1/", include("keneya.social_protection.urls")),
    path("api/v1/", include("keneya.pharmacy.urls_api")),
    path("api/v1/", include("keneya.lab.urls_api")),
    path("api/v1/", include("keneya.financing.urls_api")),
    path("api/v1/", include("keneya.indicators.urls_api")),
    path("api/v1/", include("keneya.interop.dhis2.urls_api")),
    path("api/v1/persons/<uuid:pk>/visits/", PersonVisitsView.as_view(), name="person-visits"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]
