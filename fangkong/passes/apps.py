from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PassesConfig(AppConfig):
    name = "fangkong.passes"
    label = "passes"
    verbose_name = _("Green-channel passes")

    def ready(self) -> None:
        from fangkong.core.rollups import register_metric
        from fangkong.passes import rollups

        # Lazy labels: each reader sees them in their own language.
        register_metric("passes.issued", _("Passes issued"), "flow", recount=rollups.recount_issued)
        register_metric("passes.valid", _("Valid passes"), "stock", recount=rollups.recount_valid)
        for reason, label in rollups.VERIFIED_LABELS.items():
            register_metric(
                f"passes.verified.{reason}",
                label,
                "flow",
                recount=rollups.recount_verified(reason),
            )
        rollups.register_records()
