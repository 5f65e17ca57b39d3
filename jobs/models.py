"""Background work: each piece of work a user or the scheduler starts is a Job row (what,
for whom, how far, the outcome, the file it made); each run of a scheduled job is a
ScheduledRun row, unique per job and time, which is the scheduler's lock.

The queue itself is django-tasks' (django_tasks_db.DBTaskResult): a job is carried out by
the task `jobs.tasks.run_job`, which claims the row, runs the work and records how it ended.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet


class JobQuerySet(ScopedQuerySet):
    """Jobs, scoped by the area they work on (the scheduler's own jobs have none: only a
    superuser and county officers see those, on the operations page)."""

    scope_field = "area_code"

    def failures(self):
        """Jobs that kept failing and wait for someone to retry or dismiss them."""
        return self.filter(state=Job.State.FAILED)

    def active(self):
        return self.filter(state__in=(Job.State.QUEUED, Job.State.RUNNING))


class Job(models.Model):
    """One piece of background work: a roster import's step, a village file, an export, a
    report, a scheduled job. The worker that runs it says it is alive (`heartbeat_at`); a
    job left running by a killed worker is put back in the queue once (jobs.services)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        DISMISSED = "dismissed", _("dismissed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The dotted path of the work's function (registered with @jobs.work).
    kind = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The area the work is about (its code): who may see the job and its file.
    area_code = models.CharField(max_length=12, blank=True, db_index=True)
    state = models.CharField(
        max_length=9, choices=State.choices, default=State.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    # Progress: `done` of `total` units of `step` (rows checked, villages written …).
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    step = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    run_after = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Which claim of the job is the current one: a worker that lost its claim (it was
    # thought dead and the job was run again) cannot record an outcome.
    claim = models.UUIDField(null=True, blank=True)
    # What came of it: counts for the operations page, or the last error (class and
    # message; the traceback goes to the log).
    outcome = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # A file the job made, encrypted (it may list children), kept until result_expires_at.
    result = models.BinaryField(null=True, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    result_expires_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    encrypted_fields = {"result": None}  # rotate_field_keys re-encrypts it

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED, self.State.DISMISSED)

    @property
    def has_file(self) -> bool:
        return bool(
            self.state == self.State.DONE
            and self.result_name
            and self.result_expires_at
            and self.result_expires_at > timezone.now()
        )


class ScheduledRun(models.Model):
    """One run of a scheduled job for one of its times. The unique pair (name, slot) is the
    lock: of two schedulers that see the same time due, one inserts the row and starts the
    job, the other's insert fails and it does nothing."""

    name = models.CharField(max_length=100)
    slot = models.DateTimeField()
    # Set just after the row is taken (the row first: it is the lock).
    job = models.OneToOneField(
        Job, on_delete=models.CASCADE, null=True, blank=True, related_name="scheduled_run"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-slot"]
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="jobs_one_run_per_slot")
        ]

    def __str__(self):
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"
