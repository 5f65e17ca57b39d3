"""people's entries in the main menu (core/menu.py), and the service points' entry: the areas
app sits below people and knows no roles."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, naming, on, register, unless
from people.roles import is_helper

register(
    MenuItem(
        _("Areas"),
        "people:area_root",
        order=70,
        visible=unless(is_helper),
        active=on("people:area_detail"),
    ),
    MenuItem(
        _("Children's homes"),
        "areas:service_point_list",
        order=80,
        visible=unless(is_helper),
        active=naming("service_point"),
    ),
    MenuItem(
        _("People"),
        "people:person_list",
        order=110,
        visible=unless(is_helper),
        active=naming("person"),
    ),
    MenuItem(
        _("Responsibility"),
        "people:responsibility_root",
        order=140,
        visible=unless(is_helper),
        active=naming("responsibility"),
    ),
    # Accounts bound to an area have the village files' gap report (villagefiles/menu.py).
    MenuItem(
        _("Gaps"),
        "people:gaps",
        order=165,
        visible=lambda user: not is_helper(user) and user.area_id is None,
        active=on("people:gaps"),
    ),
)
