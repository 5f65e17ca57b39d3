"""Audited reads of many records: API list pages and list pages of children's data.

`AuditedListMixin` goes on an API viewset; each list page it answers writes one audit
entry (the query, how many records, their ids) and counts toward the reader's bulk-read
budget (core.throttling), and its GETs are refused with 429 once the budget is spent.
`audit_page` does the same for a server-rendered list page (decorate the view with
core.throttling.read_limited for the 429).
"""

from .audit import log_read, read_query
from .throttling import RecordReadThrottle


class AuditedListMixin:
    """For API viewsets of children's data. `list_action` names the audit action
    ("children.child.listed")."""

    list_action = ""

    def get_throttles(self):
        return [*super().get_throttles(), RecordReadThrottle()]

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            page = getattr(self.paginator, "page", None) if self.paginator is not None else None
            records = list(page.object_list) if page is not None else []
            log_read(
                request.user,
                self.list_action,
                read_query(request.query_params),
                len(records),
                ids=[getattr(r, "pk", None) for r in records],
                via="api",
                total=page.paginator.count if page is not None else len(records),
            )
        return response


def audit_page(request, action: str, page, *, area_code=None, obj=None, **data):
    """Audit a list page (a Django Page, already evaluated by the view or about to be):
    one entry with the query, the records shown and how many matched."""
    records = list(page.object_list)
    return log_read(
        request.user,
        action,
        read_query(request.GET),
        len(records),
        ids=[getattr(r, "pk", r) for r in records],
        area_code=area_code,
        obj=obj,
        via="page",
        total=page.paginator.count,
        **data,
    )


def audit_records(request, action: str, records, *, area_code=None, obj=None, **data):
    """Audit a page that lists records without pagination (a child's visits, a village's
    file): one entry with the query and the records' ids."""
    records = list(records)
    return log_read(
        request.user,
        action,
        read_query(request.GET),
        len(records),
        ids=[getattr(r, "pk", r) for r in records],
        area_code=area_code,
        obj=obj,
        via="page",
        **data,
    )
