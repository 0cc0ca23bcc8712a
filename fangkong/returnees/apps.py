from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturneesConfig(AppConfig):
    name = "fangkong.returnees"
    label = "returnees"
    verbose_name = _("Returnees")

    def ready(self) -> None:
        from fangkong.returnees import alerting, metrics  # noqa: F401 - alerting registers its sweep

        metrics.register()
