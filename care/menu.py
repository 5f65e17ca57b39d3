"""care's entries in the main menu (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, all_of, naming, on, register_for, register_short, unless
from people.roles import is_director, is_helper

# The home page is care's: a director's is the worklist (their entry, highlighted there),
# a helper's their children.
register_for(
    all_of(unless(is_helper), unless(is_director)),
    MenuItem(_("Home"), "home", order=10, active=on("home")),
)
register_for(
    unless(is_helper),
    MenuItem(_("Activities"), "care:activities", order=100, active=naming("activit")),
)
register_for(
    is_director,
    MenuItem(_("Worklist"), "care:worklist", order=30, active=on("care:worklist", "home")),
)
register_short(is_director, "care:worklist", "care:activities")
# Directors have their worklist instead.
register_for(
    all_of(unless(is_helper), unless(is_director)),
    MenuItem(_("Compliance"), "care:compliance_root", order=90, active=naming("compliance")),
)
register_for(
    is_helper,
    MenuItem(_("Notifications"), "care:notifications", order=125, active=naming("notification")),
)
