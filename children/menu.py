"""children's entry in the main menu (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, in_app, register_for, register_short, unless
from people.roles import is_director, is_helper

register_for(
    unless(is_helper),
    MenuItem(_("Children"), "children:roster", order=40, active=in_app("children")),
)
register_short(is_director, "children:roster")
