"""The one helper that decides between a fragment and a full page for htmx requests."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.functional import cached_property

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


class CappedPaginator(Paginator):
    """A paginator that counts at most `cap` rows: a log that grows without end (a year of
    audit at national scale) is not counted whole on every view. Past the cap it says so
    (`capped`), and its pages stop there: filters narrow it down."""

    def __init__(self, queryset, per_page, cap: int):
        super().__init__(queryset, per_page)
        self.cap, self.capped = cap, False

    @cached_property
    def count(self) -> int:
        # A queryset's; without its order, the database stops after cap + 1 rows any way.
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


def paginate(request, queryset, per_page: int = PAGE_SIZE, cap: int | None = None):
    """The requested page of a queryset; an out-of-range or malformed page gives the nearest.
    With `cap`, at most that many rows are counted (CappedPaginator)."""
    if cap is not None:
        return CappedPaginator(queryset, per_page, cap).get_page(request.GET.get("page"))
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
