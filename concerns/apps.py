from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcernsConfig(AppConfig):
    name = "concerns"
    verbose_name = _("reports of concern")

    def ready(self):
        # The worklist's and home page's inbox of this app (people.inboxes).
        from people import inboxes

        from . import services

        inboxes.register(10, "concerns/partials/_inbox.html", services.inbox)
