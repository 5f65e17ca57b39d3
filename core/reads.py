"""Audited reads of many records: API list pages and list pages of children's data.

`AuditedListMixin` goes on an API viewset; each list page it answers writes one audit
entry (the query, how many records, their ids) and counts toward the reader's bulk-read
budget (core.throttling), and its GETs are refused with 429 once the budget is spent.
`audit_page` does the same for a server-rendered list page (decorate the view with
core.throttling.read_limited for the 429).
"""

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from .audit import log_read, read_query
from .audit_text import ACTIONS
from .throttling import RecordReadThrottle


class AuditedListMixin:
    """For API viewsets of children's data. `list_action` names the audit action
    ("children.child.listed")."""

    list_action = ""
    # Refuses GETs (lists and records) past the reader's hourly budget; the schema's 429.
    throttle_classes = [RecordReadThrottle]

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
    return audit_records(
        request,
        action,
        page.object_list,
        area_code=area_code,
        obj=obj,
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


# -- who reads far more than their work needs (the county's audit page) --------------------

# Reads of one record each (no count in the entry): a record's own page or API answer.
SINGLE_READS = {
    "children.child.read",
    "children.concern.read",
    "care.visit.read",
    "care.photo.read",
    "concerns.report.read",
}
REVIEW_DAYS = 7
TOP_READERS = 10


def read_actions() -> set[str]:
    """The actions that are reads of children's data: lists, exports, files, records."""
    listed = {a for a in ACTIONS if a.endswith((".listed", ".exported"))}
    return listed | SINGLE_READS | {"villagefiles.file.read"}


def read_entries_q() -> Q:
    """The audit entries that are reads of children's data (by the action's index)."""
    return Q(action__in=sorted(read_actions()))


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if not ordered:
        return 0
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def heavy_readers(entries, now=None) -> list[dict]:
    """The users of `entries` (the reviewer's jurisdiction) who read the most records in
    the last REVIEW_DAYS days, each with the median of the others of their role and whether
    they stand out: at least READ_FLAG_RECORDS, or more than READ_FLAG_FACTOR × that median
    (from READ_FLAG_FLOOR up), or refused by the hourly limit. One query (an aggregate of the
    entries' "count"; a record's own read counts one)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=REVIEW_DAYS)
    reads = read_entries_q()
    limited = Q(action="core.reads.limited")
    count = Coalesce(Cast(KeyTextTransform("count", "data"), IntegerField()), Value(1))
    rows = list(
        entries.filter(at__gte=since, actor__isnull=False)
        .filter(reads | limited)
        .values("actor_id", "actor_username", "actor__role")
        .annotate(
            records=Coalesce(Sum(count, filter=reads), Value(0)),
            lists=Count("id", filter=reads),
            refused=Count("id", filter=limited),
        )
        .order_by()
    )
    by_role: dict[str, list[int]] = {}
    for row in rows:
        by_role.setdefault(row["actor__role"] or "", []).append(row["records"])
    flag_records = settings.READ_FLAG_RECORDS
    factor, floor = settings.READ_FLAG_FACTOR, settings.READ_FLAG_FLOOR
    roles = dict(apps.get_model(settings.AUTH_USER_MODEL)._meta.get_field("role").flatchoices)
    for row in rows:
        peers = list(by_role[row["actor__role"] or ""])
        peers.remove(row["records"])  # compared with the others of the role
        median = _median(peers)
        row["median"] = median
        row["role"] = roles.get(row["actor__role"], row["actor__role"] or "")
        row["flagged"] = bool(
            row["records"] >= flag_records
            or (row["records"] >= floor and peers and row["records"] > factor * median)
            or row["refused"]
        )
    rows.sort(key=lambda r: (not r["flagged"], -r["records"]))
    shown = [r for r in rows if r["flagged"]]
    shown += [r for r in rows if not r["flagged"]][: max(0, TOP_READERS - len(shown))]
    return shown
