"""The database's nightly upkeep: partitions made ahead, the audit log's retention."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs import schedule, services

from . import partitions, retention


@services.work(
    title=_("Upkeep: partitions ahead and the audit log's retention"),
    counts={
        "partitions_made": _("partitions made"),
        "audit_entries_dropped": _("audit entries dropped"),
        "retention_refused": _("retention refused (an entry out of order)"),
    },
)
def keep_partitions(progress) -> dict:
    """Nightly: the coming periods' partitions (PostgreSQL), then the audit retention."""
    today = timezone.localdate()
    made = partitions.keep_ahead(today)
    kept = retention.apply(today)
    return {
        "partitions_made": len(made),
        "audit_entries_dropped": kept["dropped"],
        "retention_refused": kept["refused"],
    }


schedule.every_day("keep_partitions", keep_partitions, at="03:40")
