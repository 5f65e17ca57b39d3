"""The one task of the queue, carrying out a job (jobs.services.run), the daily clean-up,
and the database's nightly upkeep (partitions ahead, the audit log's retention)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from core import partitions, retention

from . import schedule, services


@task()
def run_job(job_id: str) -> str:
    """Carry out the job with this id (a task of django-tasks' queue)."""
    return services.run(job_id)


@services.work(
    title=_("Clean-up: expired files and old queue rows"),
    counts={
        "files_dropped": _("files dropped"),
        "queue_rows_dropped": _("queue rows dropped"),
        "jobs_dropped": _("jobs dropped"),
    },
)
def clean_up(progress) -> dict:
    """Daily: files past their day and finished rows of the queue and of jobs dropped; on
    SQLite, the query planner's statistics made anew (services.refresh_planner_statistics)."""
    counts = {"files_dropped": services.purge_files(), **services.prune()}
    services.refresh_planner_statistics()
    return counts


schedule.every_day("clean_up", clean_up, at="03:30")


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
