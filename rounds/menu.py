"""rounds' entry in the main menu (core/menu.py), and its inbox (core/inboxes.py): what the
open round asks of the user."""

from django.utils.translation import gettext_lazy as _

from core import inboxes
from core.menu import MenuItem, in_app, register_for, register_short, unless
from people.roles import is_director, is_helper

from . import services

register_for(
    unless(is_helper),
    # A village director's rounds page opens with their village's return of the open round.
    MenuItem(_("Rounds"), "rounds:list", order=50, active=in_app("rounds")),
)
register_short(is_director, "rounds:list")
inboxes.register("rounds:inbox", "rounds/partials/_inbox.html", services.inbox, order=20)
