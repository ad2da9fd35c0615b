from django.urls import path

from keneya.sync import api

app_name = "sync"

urlpatterns = [
    path("devices/", api.DeviceListCreateView.as_view(), name="devices"),
    path("devices/<uuid:device_id>/revoke/", api.DeviceRevokeView.as_view(), name="device_revoke"),
    path("push/", api.PushView.as_view(), name="push"),
    path("pull/", api.PullView.as_view(), name="pull"),
    path("conflicts/", api.ConflictListView.as_view(), name="conflicts"),
    path("conflicts/<int:conflict_id>/resolve/", api.ConflictResolveView.as_view(), name="conflict_resolve"),
]
