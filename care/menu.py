"""care's entries in the main menu (core/menu.py)."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, naming, on, register, unless
from people.roles import Role, is_helper


def _director(user) -> bool:
    return user.role == Role.DIRECTOR


register(
    # The home page is care's (a director's worklist); helpers' home is their children.
    MenuItem(_("Home"), "home", order=10, visible=unless(is_helper), active=on("home")),
    MenuItem(
        _("Worklist"), "care:worklist", order=30, visible=_director, active=on("care:worklist")
    ),
    # Directors have their worklist instead.
    MenuItem(
        _("Compliance"),
        "care:compliance_root",
        order=90,
        visible=lambda user: not is_helper(user) and not _director(user),
        active=naming("compliance"),
    ),
    MenuItem(
        _("Activities"),
        "care:activities",
        order=100,
        visible=unless(is_helper),
        active=naming("activit"),
    ),
    MenuItem(
        _("Notifications"),
        "care:notifications",
        order=125,
        visible=is_helper,
        active=naming("notification"),
    ),
)
