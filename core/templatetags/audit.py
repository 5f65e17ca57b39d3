"""Readable labels of audit actions: "areas.servicepoint.updated" → "service point · updated"."""

from django import template
from django.apps import apps
from django.utils.translation import gettext_lazy as _

register = template.Library()

VERBS = {
    "created": _("created"),
    "updated": _("updated"),
    "deleted": _("deleted"),
    "read": _("read"),
    "exported": _("exported"),
    "imported": _("imported"),
    "login": _("logged in"),
    "login_failed": _("failed login"),
    "logout": _("logged out"),
    "token_issued": _("API token issued"),
    "password_set": _("password set"),
    "password_changed": _("password changed"),
    "loaded": _("loaded"),
    "seeded": _("loaded"),
}


@register.filter
def audit_label(action: str) -> str:
    """The model's name and the verb, translated; the raw action when it is not known."""
    parts = action.split(".")
    verb = VERBS.get(parts[-1])
    if verb is None:
        return action
    if len(parts) == 3:
        try:
            model = apps.get_model(parts[0], parts[1])
        except (LookupError, ValueError):
            return action
        return f"{model._meta.verbose_name} · {verb}"
    return str(verb)
