from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturneesConfig(AppConfig):
    name = "fangkong.returnees"
    label = "returnees"
    verbose_name = _("Returnees")

    def ready(self) -> None:
        from fangkong.core.audit_labels import register_values
        from fangkong.returnees import alerting, metrics  # noqa: F401 - alerting registers its sweep
        from fangkong.returnees.models import HoldCode

        metrics.register()
        register_values("code", {code.value: code.label for code in HoldCode})
