"""registry's entries in the main menu (core/menu.py): the county officer's."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, on, register_for

from .policy import keeps_register

register_for(
    keeps_register,
    MenuItem(
        _("Likely duplicates"),
        "registry:duplicate_list",
        order=42,
        active=on("registry:duplicate_list", "registry:pair"),
    ),
    MenuItem(
        _("Handovers"),
        "registry:handover_list",
        order=43,
        active=on("registry:handover_list", "registry:handover", "registry:handover_decline"),
    ),
)
