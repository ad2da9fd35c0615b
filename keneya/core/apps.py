from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "keneya.core"
    label = "core"
    verbose_name = _("Référentiel : aires et structures")

    def ready(self) -> None:
        from keneya.core import checks  # noqa: F401  (registers the system checks)

        _relabel_third_party_apps()


def _relabel_third_party_apps() -> None:
    """The admin reads in French: third-party apps without a French catalog get French labels.

    Only the display labels change (``_meta.original_attrs`` stays as shipped, so no migration).
    """
    from django.apps import apps

    if apps.is_installed("django_tasks_db"):
        config = apps.get_app_config("django_tasks_database")
        config.verbose_name = _("Tâches de fond")
        for model in config.get_models():
            if model.__name__ == "DBTaskResult":
                model._meta.verbose_name = _("résultat de tâche")
                model._meta.verbose_name_plural = _("résultats de tâches")
