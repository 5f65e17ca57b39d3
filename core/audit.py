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
    entry.save(stamp=True)
    return entry


def field_changes(before: dict, after: dict) -> dict:
    """Field-level differences between two snapshots, as {field: [before, after]}."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


# A list read keeps the ids it showed (a page is at most 100 rows); an export or a file
# keeps them all up to this bound (a county holds some 25,000 children); count says how many.
MAX_READ_IDS = 50_000
# The query of a list read: at most this many parameters, each value cut to 100 characters.
MAX_QUERY_KEYS = 20
# The key of an entry's data that counts its records against the reader's hourly budget.
BUDGET_KEY = "read"


def read_query(params) -> dict:
    """A request's query parameters (a QueryDict or a dict) as the audit entry keeps them."""
    query = {}
    items = params.lists() if hasattr(params, "lists") else params.items()
    for key, values in items:
        if len(query) >= MAX_QUERY_KEYS:
            break
        values = values if isinstance(values, list | tuple) else [values]
        values = [str(v).replace("\x00", "")[:100] for v in values[:10]]
        query[str(key)[:40]] = values[0] if len(values) == 1 else values
    return query


def log_read(
    user,
    action: str,
    query: dict | None,
    count: int,
    *,
    ids=None,
    area_code=None,
    obj=None,
    budget: bool = True,
    **data,
):
    """Audit one read of many records (a list page, an API page, a search, an export): who,
    the query, how many records and which (ids, bounded). One insert, whatever the size.

    `action` is "<app>.<model>.listed" (or ".exported"); the count is also marked as
    spent from the reader's bulk-read budget (data["read"], summed by core.throttling), so
    every audited read is counted once, in the audit log itself (`budget=False` for a
    user's own bounded to-do list, such as a village's worklist).
    """
    details = (
        {"count": int(count), **data}
        if query is None
        else {"query": query, "count": int(count), **data}
    )
    if ids is not None:
        details["ids"] = list(ids)[:MAX_READ_IDS]
    if budget:
        details[BUDGET_KEY] = int(count)
    return log_action(user, action, obj, details, area_code=area_code)
