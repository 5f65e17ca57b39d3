"""Slow down password guessing: too many failed logins for one username or from one address
lock further attempts for a while. Used by the login page and the API token endpoint.

Counters live in Django's cache: per process with the default in-memory cache, shared
across processes when a shared cache (Redis) is configured.
"""

from django.core.cache import cache

FAILURES_PER_USERNAME = 10
FAILURES_PER_ADDRESS = 30
WINDOW_SECONDS = 15 * 60


def _keys(username: str, ip: str | None) -> tuple[str, str]:
    return f"lockout:user:{username.strip().lower()[:150]}", f"lockout:ip:{ip or '-'}"


def _count(key: str) -> int:
    return cache.get(key, 0)


def is_locked(username: str, ip: str | None) -> bool:
    """True when this username or this address failed too often in the window."""
    user_key, ip_key = _keys(username, ip)
    return _count(user_key) >= FAILURES_PER_USERNAME or _count(ip_key) >= FAILURES_PER_ADDRESS


def record_failure(username: str, ip: str | None) -> None:
    for key in _keys(username, ip):
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)


def clear(username: str) -> None:
    """A successful login clears the username's counter (not the address's)."""
    cache.delete(_keys(username, None)[0])
