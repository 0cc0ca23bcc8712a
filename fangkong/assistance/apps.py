from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "fangkong.assistance"
    label = "assistance"
    verbose_name = _("Vulnerable households")

    def ready(self) -> None:
        from fangkong.assistance import alerting, metrics  # noqa: F401 - alerting registers its sweep

        metrics.register()
