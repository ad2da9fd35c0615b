"""URL map: web pages in French, the API under /api/v1/, the OpenAPI schema and docs."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from keneya.accounts.api import ObtainTokenView
from keneya.accounts.views import home
from keneya.people.api import HouseholdViewSet, PersonViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("households", HouseholdViewSet, basename="household")
router.register("persons", PersonViewSet, basename="person")

urlpatterns = [
    path("", home, name="home"),
    path("comptes/", include("keneya.accounts.urls")),
    path("", include("keneya.people.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api_token"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
