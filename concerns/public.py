"""The guard of the public report of concern, shared by the page and the API.

- The limit: `SHOUHU_PUBLIC_REPORTS_PER_HOUR` valid reports per client address per clock
  hour. The address is `core.middleware.client_ip` (REMOTE_ADDR, or the proxy's
  X-Forwarded-For when TRUST_X_FORWARDED_FOR is set), so clients behind one proxy are counted
  apart and a forged header is ignored when the proxy is not trusted. The count lives in the
  cache (shared by every worker when CACHE_URL names a shared cache).
- Only a report that passed validation counts: `claim` is called after validation and just
  before saving, and `release` gives the slot back if the service still refuses the report.
  An invalid form, a robot or a refused report never uses up a reporter's slots.
- The robot trap is a hidden field (`website`) people never see: a browser does not fill a
  hidden input, so a human is never caught by it, while a robot that fills every field is.
  A robot gets the same answer as a human (the page's thanks, the API's 201 with a
  reference; past the limit, the same 429) but nothing is saved or sent and it uses none of
  the address's reports (robots are counted apart): an error would tell it what to change.
  The trap is a hidden input rather than a text field hidden by CSS on purpose: a browser's
  autofill can fill the latter, and a report of a child at risk silently dropped is far
  worse than a robot let through to the rate limit.
"""

import contextlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.middleware import client_ip

from .models import ConcernReport

logger = logging.getLogger(__name__)

PER_HOUR = 5  # the default of settings.SHOUHU_PUBLIC_REPORTS_PER_HOUR
WINDOW = 3600  # seconds: the limit counts per clock hour
TRAP_FIELD = "website"

LIMIT_MESSAGE = _(
    "If a child is in danger now, call the police on 110 at once, or the 12345 government "
    "service hotline. Several reports were sent from this connection in the last hour, so "
    "this one was not sent: please try again later (what you wrote is kept below)."
)


def _limit() -> int:
    return int(getattr(settings, "SHOUHU_PUBLIC_REPORTS_PER_HOUR", PER_HOUR))


def _key(request, robot: bool = False) -> str:
    address = client_ip(request) or "unknown"
    kind = "robot" if robot else "report"
    return f"concerns:public:{kind}:{address}:{int(time.time() // WINDOW)}"


def retry_after() -> int:
    """Seconds until the current hour's count ends."""
    return WINDOW - int(time.time() % WINDOW)


def may_report(request) -> bool:
    """Whether this address may still send a report this hour (nothing is counted)."""
    return cache.get(_key(request), 0) < _limit()


def claim(request, robot: bool = False) -> bool:
    """Count one valid report from this address; False when that passes the limit (then
    the report must not be saved). Robots are counted apart (`robot=True`), under the same
    limit, so that a flood of them is refused too without using up a person's reports."""
    key = _key(request, robot)
    cache.add(key, 0, timeout=WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW)
        count = 1
    # Some backends (the database cache) reset the timeout on incr: keep the hour's.
    cache.touch(key, WINDOW)
    return count <= _limit()


def release(request) -> None:
    """Give back a claimed slot (the service refused the report after all)."""
    with contextlib.suppress(ValueError):  # the hour ended meanwhile
        cache.decr(_key(request))


def is_robot(data) -> bool:
    """The trap field was filled: only a robot does that."""
    value = data.get(TRAP_FIELD) if hasattr(data, "get") else None
    return bool(value and str(value).strip())


def robot_reference(request) -> str:
    """What a robot is told: a reference of the same form as a real one; nothing is saved."""
    last = ConcernReport.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    logger.warning("Public report robot trap from %s: nothing saved", client_ip(request))
    return f"{timezone.localdate():%Y%m%d}-{last + 1}"
