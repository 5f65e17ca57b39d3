from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Dashboards and statistics")

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers that keep figures current)
