"""rounds' entry in the main menu (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, in_app, register, unless
from people.roles import is_helper

register(
    MenuItem(
        _("Rounds"), "rounds:list", order=50, visible=unless(is_helper), active=in_app("rounds")
    ),
)
