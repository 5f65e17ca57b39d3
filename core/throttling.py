"""Bulk-read limits: how many records of children's data each user read this hour.

Every audited read (core.audit.log_read: a list page, an API page, a search, an export; a
child's own record) marks the records it showed in its audit entry (data["read"]). The
budget is the sum of those marks over the reader's entries of the current clock hour: one
aggregate query over the audit log, which every worker shares already, so the limit holds
across processes with no counter of its own (a counter in the database cache cost a dozen
queries a page). A request that would read more is refused with 429 while the sum is at or
above READ_LIMIT_PER_HOUR, and the refusal is audited. The check comes before the read and
the entry after it, so one read that crosses the limit is served (an API page is at most
100 records; one export is one read) and the next one is refused until the hour turns.

The default (settings.READ_LIMIT_PER_HOUR, 10,000) lets a county officer page through a
whole county roster of 5,000 in an hour with room for the day's other lists; pulling a
county of 25,000 takes hours of refusals, and the audit page names whoever tries.
"""

import datetime as dt
import time
from functools import wraps

from django.conf import settings
from django.db.models import IntegerField, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.exceptions import Throttled
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from .audit import BUDGET_KEY
from .models import AuditEntry

WINDOW = 3600  # seconds: the budget is per clock hour
DEFAULT_LIMIT = 10_000


def read_limit() -> int:
    """Records one user may read per hour (0 turns the limit off)."""
    return int(getattr(settings, "READ_LIMIT_PER_HOUR", DEFAULT_LIMIT))


def records_read(user, now: float | None = None) -> int:
    """Records the user has read in the current clock hour, from their audit entries."""
    if not getattr(user, "is_authenticated", False):
        return 0
    now = now or time.time()
    hour = dt.datetime.fromtimestamp(now - now % WINDOW, tz=dt.UTC)
    total = (
        AuditEntry.objects.filter(actor_id=user.pk, at__gte=hour)
        .annotate(spent=Cast(KeyTextTransform(BUDGET_KEY, "data"), IntegerField()))
        .aggregate(total=Sum("spent"))["total"]
    )
    return int(total or 0)


def wait_seconds(user, now: float | None = None) -> int | None:
    """None while the user may read; else the seconds until the next hour's counter."""
    limit = read_limit()
    if limit <= 0:
        return None
    now = now or time.time()
    if records_read(user, now) < limit:
        return None
    return int(WINDOW - now % WINDOW) + 1


def limit_message(wait: int) -> str:
    """What the refused user reads (pages and API alike)."""
    return _(
        "You have read more than %(limit)s children's records in the last hour, far more "
        "than daily work needs. Further lists and exports are refused for %(minutes)s "
        "minutes; the county's audit page shows this. If your work needs more, ask a county "
        "officer."
    ) % {"limit": read_limit(), "minutes": max(1, (wait + 59) // 60)}


def log_refusal(user, via: str, path: str) -> None:
    """Audit one refused read."""
    from .audit import log_action  # noqa: PLC0415 (core.audit counts reads through this module)

    log_action(
        user,
        "core.reads.limited",
        None,
        {"via": via, "path": path[:200], "records": records_read(user), "limit": read_limit()},
    )


class RecordReadThrottle(BaseThrottle):
    """DRF's throttle for the API's reads of children's data: a GET is refused with 429
    once the caller's records this hour reach the limit (writes are never refused)."""

    def allow_request(self, request, view):
        if request.method not in SAFE_METHODS:
            return True
        wait = wait_seconds(request.user)
        if wait is None:
            return True
        log_refusal(request.user, "api", request.path)
        # The message says how long to wait (DRF's own English addition is left out); the
        # Retry-After header comes from `wait`.
        refusal = Throttled(detail=limit_message(wait))
        refusal.wait = wait
        raise refusal


def read_limited(view):
    """Pages that list children's data: refused with 429 (a page saying why) once the
    user's records this hour reach the limit."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        wait = wait_seconds(request.user) if request.method in SAFE_METHODS else None
        if wait is None:
            return view(request, *args, **kwargs)
        log_refusal(request.user, "page", request.path)
        response = render(
            request, "core/read_limit.html", {"message": limit_message(wait)}, status=429
        )
        response["Retry-After"] = str(wait)
        return response

    return wrapper
