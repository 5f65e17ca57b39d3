from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("referrals")

    def ready(self):
        # The worklist's and home page's inbox of this app (people.inboxes).
        from people import inboxes

        from . import services

        inboxes.register(30, "referrals/partials/_inbox.html", services.inbox)
