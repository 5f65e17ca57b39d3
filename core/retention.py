"""The audit log's retention: whole months older than AUDIT_RETENTION_MONTHS are dropped.

Every read of a child's record writes an audit entry, so the log grows without end. The
nightly job (jobs.tasks.keep_partitions) drops the months older than the setting: on
PostgreSQL by dropping their partitions (core.partitions: a month is one table, so the drop
takes no time and leaves nothing to vacuum), on SQLite by deleting the rows. The kept log
stays a verifiable chain: the chain's head remembers where the kept chain begins (the first
entry left and the hash it was chained onto), and the drop is itself audited.
"""

import datetime as dt

from django.conf import settings
from django.core import checks
from django.db import transaction
from django.db.models import Max

from . import auditchain, partitions
from .audit import log_action
from .models import AuditChainHead, AuditEntry

MINIMUM_MONTHS = 6  # Cybersecurity Law, Art. 21: network logs kept no less than six months


def cutoff(today: dt.date, months: int) -> dt.date:
    """The first day of the oldest month kept: the current month and `months` before it."""
    index = today.year * 12 + today.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def apply(today: dt.date, months: int | None = None) -> dict:
    """Drop the audit entries of the months before `cutoff`. Returns what was done:
    entries dropped, and `refused` when an entry of those months comes after a kept one in
    the chain (an entry dated by hand): nothing is dropped then, and the run says so."""
    months = settings.AUDIT_RETENTION_MONTHS if months is None else months
    if months < MINIMUM_MONTHS:
        raise ValueError(f"AUDIT_RETENTION_MONTHS must be at least {MINIMUM_MONTHS}")
    before = cutoff(today, months)
    moment = dt.datetime.combine(before, dt.time(), tzinfo=dt.UTC)
    with transaction.atomic():
        auditchain.lock_head()  # no entry is written meanwhile
        old = AuditEntry.objects.filter(at__lt=moment)
        newest_old = old.aggregate(last=Max("id"))["last"]
        if newest_old is None:
            return {"dropped": 0, "refused": 0}
        first = (
            AuditEntry.objects.filter(at__gte=moment).order_by("id").values("id", "prev_hash")
        ).first()
        if first is not None and first["id"] < newest_old:
            return {"dropped": 0, "refused": 1}
        dropped = old.count()
        if partitions.supported():
            partitions.drop_before(partitions.AUDIT, before)
        old._raw_delete(old.db)  # SQLite, or what the default partition held
        head = AuditChainHead.objects.get(pk=1)
        if first is not None:
            head.start_id, head.start_hash = first["id"], first["prev_hash"]
        else:  # nothing kept: the chain begins with the next entry
            head.start_id, head.start_hash = head.last_id + 1, head.hash
        head.save(update_fields=["start_id", "start_hash"])
    log_action(
        None,
        "core.audit.retention",
        data={"before": before.isoformat(), "entries": dropped, "months": months},
    )
    return {"dropped": dropped, "refused": 0}


@checks.register(checks.Tags.security, deploy=False)
def check_retention(app_configs=None, **kwargs):
    """AUDIT_RETENTION_MONTHS below the legal minimum is an error at start-up."""
    months = settings.AUDIT_RETENTION_MONTHS
    if months < MINIMUM_MONTHS:
        return [
            checks.Error(
                f"AUDIT_RETENTION_MONTHS is {months}: the audit log must be kept at least "
                f"{MINIMUM_MONTHS} months (Cybersecurity Law, Art. 21).",
                id="core.E101",
            )
        ]
    return []
