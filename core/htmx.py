"""The one helper that decides between a fragment and a full page for htmx requests."""

from django.core.paginator import Paginator
from django.shortcuts import render

PAGE_SIZE = 50


def is_htmx(request) -> bool:
    """True for requests htmx makes (it sends HX-Request: true), except history restores."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_page(request, template: str, context: dict, partial: str | None = None):
    """Render `partial` alone for htmx requests (e.g. a list's table), else the full page."""
    if partial and is_htmx(request):
        return render(request, partial, context)
    return render(request, template, context)


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """The requested page of a queryset; an out-of-range or malformed page gives the nearest."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current query string without `page`, for pagination links that keep filters."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def search_text(request, name: str = "q", limit: int = 100) -> str:
    """A search box's text from the query string: trimmed, at most `limit` characters, and
    without NUL characters (PostgreSQL refuses them in text; a form field would too)."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:limit]
