"""The login lockout, on django-axes: one set of counters for every login path.

The login page, the API token endpoint, the admin's login and the one-time code step all
count their failures here (axes sees every `authenticate()` through its backend; the code
step calls `record_failure`). The counters live in the shared cache (settings.CACHES, from
CACHE_URL), so every worker process sees the same numbers.

Axes compares every counter with one limit. `settings.LOGIN_LOCKOUT` gives each set of
lockout parameters its own limit: the username-and-address pair locks after a few failures,
the address alone after many more, so that somebody guessing one account does not lock out
every colleague behind the same office address.
"""

from axes.handlers.cache import AxesCacheHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_cache_keys, get_client_username
from axes.signals import user_locked_out
from django.conf import settings
from django.http import JsonResponse

from .forms import LOCKED_MESSAGE


def username_tried(request, credentials) -> str:
    """The username of an attempt, as typed but without case and surrounding spaces (so that
    "Director " and "director" share one counter)."""
    if credentials:
        value = credentials.get("username")
    else:
        value = getattr(request, "data", request.POST).get("username")
    # Never empty: axes joins the pair's values into one key, and an empty username would
    # make the pair's key the address's.
    return str(value or "").strip().lower()[:150] or "-"


class TieredCacheHandler(AxesCacheHandler):
    """Axes' cache handler with one limit for each set of `AXES_LOCKOUT_PARAMETERS`."""

    def counters(self, request, credentials=None) -> list[tuple[int, int]]:
        """(failures, limit) for each lockout parameter set, in settings order."""
        keys = get_client_cache_keys(request, credentials)
        limits = [limit for _parameters, limit in settings.LOGIN_LOCKOUT]
        counts = self.cache.get_many(keys)
        return [(counts.get(key, 0), limit) for key, limit in zip(keys, limits, strict=True)]

    def is_locked(self, request, credentials=None) -> bool:
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        return any(count >= limit for count, limit in self.counters(request, credentials))

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # Axes locked nothing below its (highest) limit: apply the pair's lower one.
        if (
            request is not None
            and not request.axes_locked_out
            and self.is_locked(request, credentials)
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def is_locked(request, username: str) -> bool:
    """Whether attempts for `username` from this request's address are refused now."""
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def record_failure(request, username: str) -> bool:
    """Count a failed attempt that is not a password (a wrong one-time code) like a failed
    password. True when this failure locked the pair or the address."""
    AxesProxyHandler.user_login_failed(
        sender=record_failure, credentials={"username": username}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(request, original_response=None, credentials=None):
    """What a locked attempt answers (axes' AXES_LOCKOUT_CALLABLE).

    Pages keep their own answer (the form already shows LOCKED_MESSAGE as its error) with
    429; anything else gets the message as JSON with 429.
    """
    if original_response is not None and original_response.get("Content-Type", "").startswith(
        "text/html"
    ):
        original_response.status_code = 429
        return original_response
    return JsonResponse({"detail": str(LOCKED_MESSAGE)}, status=429)
