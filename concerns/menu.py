"""concerns' entry in the main menu (core/menu.py): everyone, helpers too, sees the reports
they may see and files new ones there; and its inbox (core/inboxes.py): the open reports."""

from django.utils.translation import gettext_lazy as _

from core import inboxes
from core.menu import MenuItem, in_app, register, register_short
from people.roles import is_director

from . import services

register(MenuItem(_("Reports of concern"), "concerns:list", order=120, active=in_app("concerns")))
register_short(is_director, "concerns:list")
inboxes.register("concerns:inbox", "concerns/partials/_inbox.html", services.inbox, order=10)
