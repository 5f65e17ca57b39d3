"""stats' entry in the main menu (core/menu.py): the dashboard of the user's own area."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, in_app, register
from people.roles import is_helper

register(
    MenuItem(
        _("Dashboard"),
        "stats:dashboard",
        order=20,
        visible=lambda user: user.area_id is not None and not is_helper(user),
        args=lambda user: [user.area.code],
        active=in_app("stats"),
    ),
)
