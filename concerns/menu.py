"""concerns' entry in the main menu (core/menu.py): everyone, helpers too, sees the reports
they may see and files new ones there."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, in_app, register, register_short
from people.roles import is_director

register(MenuItem(_("Reports of concern"), "concerns:list", order=120, active=in_app("concerns")))
register_short(is_director, "concerns:list")
