"""Security headers and answers that are not a view's: `Cache-Control: no-store` on
responses that may carry children's data, and a 503 with `Retry-After` when the embedded
SQLite database stays locked by another writer past its bound (SQLITE_LOCK_TIMEOUT).

The Content Security Policy itself is django-csp's (settings.CONTENT_SECURITY_POLICY);
HSTS, the HTTPS redirect and the cookie flags are Django's SecurityMiddleware's. The API's
browsable HTML pages get the one exception the policy makes (BrowsableAPIRenderer).
"""

import logging

from csp.constants import UNSAFE_INLINE
from django.db.utils import OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from rest_framework import renderers

logger = logging.getLogger(__name__)

RETRY_AFTER = 5  # seconds a client is asked to wait when the database is busy


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` (and `Pragma: no-cache`) on every response to a
    signed-in user and on every API response, so that no browser, proxy or shared computer
    keeps a copy of children's data. Static files never reach it (WhiteNoise answers them
    first, with their long caching)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path_info.startswith("/api/") or getattr(user, "is_authenticated", False):
            add_never_cache_headers(response)
            response.headers["Pragma"] = "no-cache"
        return response


def is_database_locked(exc) -> bool:
    """SQLite's "database is locked" (another writer held the lock past the timeout)."""
    return isinstance(exc, OperationalError) and "locked" in str(exc)


def busy_response(request):
    """503 with Retry-After: a short page, or a JSON body for the API."""
    message = _(
        "Many people are saving at this moment and nothing was saved. "
        "Please try again in a few seconds."
    )
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = render(request, "core/busy.html", {"message": message}, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    add_never_cache_headers(response)
    return response


class DatabaseBusyMiddleware:
    """A write that waited for the SQLite lock past its bound answers 503, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_locked(exception):
            logger.warning("Database locked: %s %s answered 503", request.method, request.path)
            return busy_response(request)
        return None


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API, under the Content Security Policy. Its templates and its
    bundled jQuery set inline styles (layout only), so its HTML pages, and only they, may
    apply inline style; scripts stay 'self' only, as everywhere. The JSON answers and every
    other page keep the strict policy."""

    csp_update = {"style-src": [UNSAFE_INLINE]}

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = self.csp_update  # read by django-csp's middleware
        return super().render(data, accepted_media_type, renderer_context)
