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


def _field_label(model, name: str) -> str:
    prefix, _dot, field_name = name.rpartition(".")
    try:
        label = str(model._meta.get_field(field_name).verbose_name) if model else field_name
    except Exception:  # not a field of the model (a related record's field, a note …)
        label = field_name
    return f"{prefix}.{label}" if prefix else label


def _short(value) -> str:
    text = "—" if value in (None, "", [], {}) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


@register.filter
def audit_details(entry) -> str:
    """An entry's details for people: "field: before → after; …" with the model's labels."""
    data = entry.data or {}
    try:
        model = apps.get_model(entry.object_type) if entry.object_type else None
    except (LookupError, ValueError):
        model = None
    parts = []
    for name, change in (data.get("changes") or {}).items():
        if isinstance(change, list | tuple) and len(change) == 2:
            parts.append(f"{_field_label(model, name)}: {_short(change[0])} → {_short(change[1])}")
    for key, value in data.items():
        if key == "changes":
            continue
        if key == "fields" and isinstance(value, list | dict):
            names = value if isinstance(value, list) else list(value)
            parts.append(", ".join(_field_label(model, n) for n in names))
        else:
            parts.append(f"{key}: {_short(value)}")
    return "; ".join(parts)
