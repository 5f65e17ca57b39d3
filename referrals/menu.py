"""referrals' entry in the main menu (core/menu.py): the staff follow their referrals there
(a director also sees the open ones on the worklist)."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, in_app, register_for, unless
from people.roles import is_helper

register_for(
    unless(is_helper),
    MenuItem(_("Referrals"), "referrals:list", order=122, active=in_app("referrals")),
)
