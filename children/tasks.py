"""The registry's background work: a roster import's steps, and the daily review of ages."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs import schedule, services

from .imports import INTERRUPTED, RUNNING_IMPORT_STATES, fail_unfinished, run_check, run_save
from .models import ImportJob


@services.work(
    title=_("Roster import"),
    max_attempts=3,
    counts={"rows": _("rows"), "saved": _("rows saved")},
)
def import_step(progress, *, import_id: str, step: str) -> dict:
    """Check ("check") or save ("save") an uploaded roster. Safe to run again: a check
    already ended, or a save already saved, does nothing (imports.run_save)."""
    job = ImportJob.objects.select_related("created_by__area").filter(pk=import_id).first()
    if job is None or job.state not in RUNNING_IMPORT_STATES:
        return {}
    try:
        if step == "check":
            run_check(job, progress)
        elif step == "save":
            run_save(job, progress)
        else:
            raise ValueError(f"unknown import step {step!r}")
    except services.TRANSIENT:
        if progress.job.attempts >= progress.job.max_attempts:
            fail_unfinished(import_id, INTERRUPTED)
        raise
    return {"rows": job.total_rows, "saved": job.saved_count}


@services.work(
    title=_("Ages reviewed: children reclassified, records closed at 16 and 18"),
    counts={
        "reclassified": _("children reclassified"),
        "closed_16": _("records closed at 16"),
        "closed_18": _("records closed at 18"),
    },
)
def review_ages(progress) -> dict:
    """The daily run of `manage.py review_ages` (idempotent: a rerun changes nothing)."""
    from .services import review_ages as review

    return review(timezone.localdate())


schedule.every_day("review_ages", review_ages, at="01:00")
