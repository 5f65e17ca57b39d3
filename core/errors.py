"""Error answers: under /api/ a JSON body (the schema's `Error`: {"detail": …}), as every
other API answer; elsewhere the site's pages (404.html, 500.html).

Django answers a path that matches no route itself, before any API view runs (for example
/api/v1/children/1.5/, which the router's id pattern does not take): without this an API
client would get an HTML page with its 404 (found by the fuzzing pass, tests/fuzz)."""

import sys

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from .security import busy_response, is_database_locked

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    # A lock met outside a view (a middleware's write) answers 503, as inside one.
    if is_database_locked(sys.exc_info()[1]):
        return busy_response(request)
    if _is_api(request):
        return JsonResponse(
            {"detail": _("Server error: the request was not completed.")}, status=500
        )
    return defaults.server_error(request)
