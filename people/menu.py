"""people's entries in the main menu (core/menu.py), and the service points' entry: the areas
app sits below people and knows no roles."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, all_of, has_area, naming, on, register_for, unless
from people.roles import is_helper

register_for(
    unless(is_helper),
    MenuItem(_("Areas"), "people:area_root", order=70, active=on("people:area_detail")),
    MenuItem(
        _("Children's homes"), "areas:service_point_list", order=80, active=naming("service_point")
    ),
    MenuItem(_("People"), "people:person_list", order=110, active=naming("person")),
    MenuItem(
        _("Responsibility"),
        "people:responsibility_root",
        order=140,
        active=naming("responsibility"),
    ),
)
# Accounts bound to an area have the village files' gap report (villagefiles/menu.py).
register_for(
    all_of(unless(is_helper), unless(has_area)),
    MenuItem(_("Gaps"), "people:gaps", order=165, active=on("people:gaps")),
)
