"""The one helper that writes the audit log; every service function calls it."""

from django.db import models

from .context import current_ip
from .models import AuditEntry


def _area_code_of(obj) -> str:
    """The area code an object belongs to, for scoping its audit entries."""
    if obj is None:
        return ""
    code = getattr(obj, "audit_area_code", None)
    if code:
        return code
    area = getattr(obj, "area", None)
    return getattr(area, "code", "") or ""


def log_action(actor, action: str, obj=None, data: dict | None = None, *, area_code=None):
    """Append one entry to the audit log.

    `action` is "<app>.<model>.<verb>", e.g. "areas.servicepoint.updated"; `data` holds
    what changed (field-level before/after) or what was read or exported.
    """
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    if area_code is None:
        area_code = _area_code_of(obj)
        if not area_code and authenticated:
            area_code = _area_code_of(actor)
    entry = AuditEntry(
        actor=actor if authenticated else None,
        actor_username=getattr(actor, "username", "") if authenticated else "",
        action=action,
        area_code=area_code or "",
        data=data or {},
        ip=current_ip.get(),
    )
    if isinstance(obj, models.Model):
        entry.object_type = obj._meta.label_lower
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    entry.save()
    return entry


def field_changes(before: dict, after: dict) -> dict:
    """Field-level differences between two snapshots, as {field: [before, after]}."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
