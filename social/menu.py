"""social's entries in the main menu (core/menu.py). Social workers and volunteers have a
menu of their own: only the pages they can use (tests/test_menu.py opens each one as each
persona): their children, the reports of concern (concerns/menu.py), notifications with the
e-mail preferences (care/menu.py) and their profile."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, all_of, has_area, in_app, on, register_for, unless
from people.roles import is_helper

# Staff bound to an area: the pages of the user's own area.
_staff_with_area = all_of(has_area, unless(is_helper))


register_for(
    is_helper,
    MenuItem(
        _("My paired children"),
        "social:my_children",
        order=45,
        active=on("social:my_children", "social:helper_child", "social:service_new"),
    ),
    MenuItem(
        _("My profile"),
        "social:helper_profile",
        order=126,
        args=lambda user: [user.pk],
        active=on("social:helper_profile"),
    ),
)
register_for(
    _staff_with_area,
    MenuItem(_("Social forces"), "social:helpers", order=130, active=in_app("social")),
)
