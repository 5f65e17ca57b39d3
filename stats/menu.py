"""stats' entry in the main menu (core/menu.py): the dashboard of the user's own area."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, all_of, has_area, in_app, own_area, register_for, unless
from people.roles import is_helper

register_for(
    all_of(has_area, unless(is_helper)),
    MenuItem(_("Dashboard"), "stats:dashboard", order=20, args=own_area, active=in_app("stats")),
)
