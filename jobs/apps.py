from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Background work")

    def ready(self):
        # Each app declares its scheduled jobs in its tasks.py (jobs.schedule.every_day …).
        autodiscover_modules("tasks")
