from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "rounds"
    verbose_name = _("Quarterly investigation rounds")

    def ready(self):
        # The worklist's and home page's inbox of this app (people.inboxes).
        from people import inboxes

        from . import services

        inboxes.register(20, "rounds/partials/_inbox.html", services.inbox)
