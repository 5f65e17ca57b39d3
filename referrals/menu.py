"""referrals' entry in the main menu (core/menu.py): the staff follow their referrals there
(a director also sees the open ones on the worklist); and its inbox (core/inboxes.py): the
referrals waiting for an answer."""

from django.utils.translation import gettext_lazy as _

from core import inboxes
from core.menu import MenuItem, in_app, register_for, unless
from people.roles import is_helper

from . import services

register_for(
    unless(is_helper),
    MenuItem(_("Referrals"), "referrals:list", order=122, active=in_app("referrals")),
)
inboxes.register("referrals:inbox", "referrals/partials/_inbox.html", services.inbox, order=30)
