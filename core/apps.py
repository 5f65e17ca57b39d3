from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import retention, signals  # noqa: F401  (its system check; audit of logins)

        # Each app declares its main-menu entries in its menu.py (core/menu.py).
        autodiscover_modules("menu")
