from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Dashboards and statistics")

    def ready(self):
        from care import compliance

        from . import services, signals  # noqa: F401  (signals keep the figures current)

        # The compliance pages (care) read the figures kept here.
        compliance.read_kept_figures(services.breakdown, services.totals)
