"""villagefiles' entries in the main menu (core/menu.py): the file of the user's own area and
the gap report (accounts without an area have people's gap page instead)."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, all_of, has_area, on, own_area, register_for, unless
from people.roles import is_helper

# Staff bound to an area: the pages of the user's own area.
_staff_with_area = all_of(has_area, unless(is_helper))


register_for(
    _staff_with_area,
    MenuItem(
        _("Village files"),
        "villagefiles:village_file",
        order=150,
        args=own_area,
        active=on("villagefiles:village_file"),
    ),
    MenuItem(
        _("Gaps"), "villagefiles:gaps", order=160, active=on("villagefiles:gaps", "people:gaps")
    ),
)
