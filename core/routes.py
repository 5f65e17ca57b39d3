"""Each page's address, declared on its view (as NetBox's `register_model_view` does).

A views module makes one `route = Routes()` and decorates each page with it::

    route = Routes()

    @route("<int:pk>/edit/")
    def service_point_edit(request, pk): ...

and the app's `urls.py` collects them: `urlpatterns = patterns(views)`. The URL name is the
view's own name unless `name=` says otherwise, so the address, the view and the name are
written once, in one place; a view may carry more than one address.

Every page asks for a login unless it is declared `public=True` (the public report of concern,
the second step of the login): a new page cannot forget it.
"""

import functools

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.urls import get_script_prefix, get_urlconf, path, re_path, reverse


class Routes:
    """The addresses of one views module's pages, in the order they are declared."""

    def __init__(self):
        self.declared = []

    def __call__(
        self, route: str, *, name: str | None = None, regex: bool = False, public: bool = False
    ):
        """Declare `route` (a `path()` route, or a regular expression with `regex=True`) as an
        address of the decorated view, named `name` (the view's name by default); the view
        asks for a login unless `public`."""

        def declare(view):
            if not public and not getattr(view, "asks_for_login", False):
                view = login_required(view)
                view.asks_for_login = True
            self.declared.append((route, view, name or view.__name__, regex))
            return view

        return declare


def _specificity(route: str) -> tuple[int, ...]:
    # Per segment, 0 for literal text and 1 for a converter or a regular expression: a fixed
    # address ("areas/gaps/") must be tried before one that captures the same segment
    # ("areas/<str:code>/"), whatever order the views stand in.
    return tuple(1 if "<" in part or "(" in part else 0 for part in route.split("/"))


def patterns(*modules) -> list:
    """The URL patterns of the pages the views `modules` declared, fixed segments first."""
    declared = [entry for module in modules for entry in module.route.declared]
    declared.sort(key=lambda entry: _specificity(entry[0].lstrip("^")))
    return [
        (re_path if regex else path)(route, view, name=name)
        for route, view, name, regex in declared
    ]


# An id no row has: pk_url reverses a name once with it and writes each row's own id in.
_SENTINEL = "987654321"


@functools.lru_cache(maxsize=512)
def _around_pk(name: str, urlconf, script_prefix: str) -> tuple[str, str]:
    """The address of `name` before and after its id (the prefix is part of the key)."""
    head, found, tail = reverse(name, args=[_SENTINEL], urlconf=urlconf).partition(_SENTINEL)
    if not found or _SENTINEL in tail:
        raise ValueError(f"{name}: not an address of one id")
    return head, tail


def pk_url(name: str, pk) -> str:
    """The address of URL `name` whose one argument is an id (`<int:pk>`), as reverse()
    writes it, without a reverse() per call: each row of a list links to its record, and a
    reverse() per row was a tenth of a worklist's time (bench/README.md). The name is
    reversed once per process, URLconf and script prefix."""
    pk = int(pk)
    if pk < 0:  # no <int:…> address takes it: reverse() says so
        return reverse(name, args=[pk])
    urlconf = get_urlconf() or settings.ROOT_URLCONF  # a test may change the setting
    head, tail = _around_pk(name, urlconf, get_script_prefix())
    return f"{head}{pk}{tail}"


@functools.lru_cache(maxsize=8192)
def _reversed(name: str, args: tuple, urlconf: str, script_prefix: str) -> str:
    return reverse(name, args=args or None, urlconf=urlconf)


def cached_reverse(name: str, *args) -> str:
    """reverse(name, args=args), once per process for each name and arguments (and URLconf
    and script prefix): for the addresses a page writes again on every request, of which
    there are few (the menu's entries, a dashboard's figures of an area), not for a list's
    rows (pk_url)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(name, args, urlconf, get_script_prefix())
