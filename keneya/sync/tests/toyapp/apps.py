from django.apps import AppConfig


class ToyAppConfig(AppConfig):
    name = "keneya.sync.tests.toyapp"
    label = "sync_toyapp"
    default_auto_field = "django.db.models.BigAutoField"
