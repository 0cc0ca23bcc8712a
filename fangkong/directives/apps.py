from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectivesConfig(AppConfig):
    name = "fangkong.directives"
    label = "directives"
    verbose_name = _("Directives")

    def ready(self) -> None:
        from fangkong.directives import alerting, metrics  # noqa: F401 - alerting registers its sweep

        metrics.register()
