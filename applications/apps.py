from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications for benefits")

    def ready(self):
        # A change to a child's record that ends a benefit's grounds opens its stop.
        from . import signals  # noqa: F401
