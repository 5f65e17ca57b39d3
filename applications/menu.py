"""applications' entry in the main menu (core/menu.py): staff, not helpers (who see no
area's applications)."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, in_app, register_for, unless
from people.roles import is_helper

register_for(
    unless(is_helper),
    MenuItem(_("Applications"), "applications:list", order=62, active=in_app("applications")),
)
