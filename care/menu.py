"""care's entries in the main menu (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, all_of, naming, on, register_for, unless
from people.roles import Role, is_helper


def _director(user) -> bool:
    return user.role == Role.DIRECTOR


register_for(
    unless(is_helper),
    # The home page is care's (a director's worklist); helpers' home is their children.
    MenuItem(_("Home"), "home", order=10, active=on("home")),
    MenuItem(_("Activities"), "care:activities", order=100, active=naming("activit")),
)
register_for(
    _director, MenuItem(_("Worklist"), "care:worklist", order=30, active=on("care:worklist"))
)
# Directors have their worklist instead.
register_for(
    all_of(unless(is_helper), unless(_director)),
    MenuItem(_("Compliance"), "care:compliance_root", order=90, active=naming("compliance")),
)
register_for(
    is_helper,
    MenuItem(_("Notifications"), "care:notifications", order=125, active=naming("notification")),
)
