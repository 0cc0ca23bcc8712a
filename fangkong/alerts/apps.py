from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "fangkong.alerts"
    label = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        from fangkong.alerts.kinds import KINDS
        from fangkong.core.audit_labels import register_values

        register_values("kind", {name: kind.title for name, kind in KINDS.items()})
