"""villagefiles' entries in the main menu (core/menu.py): the file of the user's own area and
the gap report (accounts without an area have people's gap page instead)."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, on, register
from people.roles import is_helper


def _staff_with_area(user) -> bool:
    return user.area_id is not None and not is_helper(user)


register(
    MenuItem(
        _("Village files"),
        "villagefiles:village_file",
        order=150,
        visible=_staff_with_area,
        args=lambda user: [user.area.code],
        active=on("villagefiles:village_file"),
    ),
    MenuItem(
        _("Gaps"),
        "villagefiles:gaps",
        order=160,
        visible=_staff_with_area,
        active=on("villagefiles:gaps", "people:gaps"),
    ),
)
