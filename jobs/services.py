"""Starting background work and carrying it out.

A piece of work is a plain function decorated with `@work`; it takes a `Progress` first,
then JSON-able keyword arguments::

    @work(title=_("Township file"))
    def township_file(progress, *, code, fmt): ...

    job = start(township_file, user=request.user, area_code=code, code=code, fmt="pdf")

`start` writes the Job row and puts the task `jobs.tasks.run_job` in the queue in the same
transaction (the queue is a table of the same database), so a worker never sees a task
whose job is not there yet. `run` claims the job (one claim at a time, by a conditional
UPDATE), runs the function while a thread says the worker is alive, and records the
outcome. Transient errors (the database busy, a mail server away) are retried with a
growing delay; others, and transient ones that keep coming, leave the job FAILED, on the
list of failures that an officer may retry or dismiss.
"""

import contextlib
import datetime as dt
import logging
import smtplib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
)
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from core import crypto

from .models import Job

logger = logging.getLogger(__name__)

# Errors that a later attempt may not meet: the database locked or gone for a moment, a
# mail server or a network away.
TRANSIENT = (OperationalError, InterfaceError, smtplib.SMTPException, ConnectionError, TimeoutError)
# The delay before attempt n + 1 is BACKOFF_SECONDS × 4^(n - 1), at most an hour:
# 30 s, 2 min, 8 min, 32 min.
BACKOFF_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


@dataclass(frozen=True)
class Work:
    """A registered piece of work: its function, default title and attempts."""

    function: Callable
    title: str
    max_attempts: int
    queue: str
    counts: dict  # the words for the keys of the counts it returns

    def outcome_lines(self, outcome: dict) -> list[tuple[str, object]]:
        """The run's counts in the reader's words (a key without words is shown as it is)."""
        return [(str(self.counts.get(key, key)), value) for key, value in outcome.items()]

    @property
    def path(self) -> str:
        return f"{self.function.__module__}.{self.function.__qualname__}"


_registry: dict[str, Work] = {}


def work(*, title, max_attempts: int = 5, queue: str = "default", counts=None):
    """Declare a function as background work (see the module's docstring); `counts` gives
    the words for the keys of the dict it returns (the operations page shows them)."""

    def register(function):
        declared = Work(function, title, max_attempts, queue, dict(counts or {}))
        _registry[declared.path] = declared
        function.work = declared
        return function

    return register


def registered(kind: str) -> Work:
    """The work a job names (its module is imported if it was not yet)."""
    if kind not in _registry:
        import_string(kind)  # importing the module registers its work
    return _registry[kind]


def start(function, *, user=None, area_code: str = "", title=None, **params) -> Job:
    """Queue a job that runs `function(progress, **params)`; returns the Job row."""
    declared: Work = function.work
    job = Job.objects.create(
        kind=declared.path,
        title=str(title or declared.title)[:200],
        params=params,
        created_by=user if getattr(user, "pk", None) else None,
        area_code=area_code,
        max_attempts=declared.max_attempts,
    )
    enqueue(job)
    return job


def enqueue(job: Job, run_after: dt.datetime | None = None) -> None:
    """Put the job's task in the queue (at once with the immediate backend)."""
    from .tasks import run_job

    task = run_job.using(queue_name=registered(job.kind).queue)
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(str(job.pk))


def in_a_worker() -> bool:
    """Whether tasks run in worker processes (the database backend), not in the request."""
    from django_tasks import default_task_backend

    return default_task_backend.supports_defer


class Progress:
    """What a running job reports: how far it is. Best effort: a busy database must not fail
    the work itself."""

    def __init__(self, job: Job):
        self.job = job

    def __call__(self, done: int, total: int | None = None, step: str | None = None) -> None:
        fields = {"done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        if step is not None:
            fields["step"] = str(step)[:100]
        for name, value in fields.items():
            setattr(self.job, name, value)
        try:
            Job.objects.filter(pk=self.job.pk, claim=self.job.claim).update(**fields)
        except DatabaseError:
            logger.warning("job %s: progress not saved (database busy)", self.job.pk)

    @property
    def params(self) -> dict:
        return self.job.params

    def save_file(self, content: bytes, name: str, content_type: str) -> None:
        """Keep the file the job made (encrypted) for settings.JOBS_RESULT_HOURS."""
        self.job.result = crypto.encrypt_bytes(content)
        self.job.result_name = name[:200]
        self.job.result_type = content_type[:100]
        self.job.result_expires_at = timezone.now() + dt.timedelta(hours=settings.JOBS_RESULT_HOURS)


def result_bytes(job: Job) -> bytes:
    """The job's file, decrypted."""
    return crypto.decrypt_bytes(bytes(job.result))


class _Heartbeat(threading.Thread):
    """Says every JOBS_HEARTBEAT_SECONDS that the worker running the job is alive."""

    def __init__(self, job: Job):
        super().__init__(daemon=True, name=f"heartbeat-{job.pk}")
        self.job = job
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(settings.JOBS_HEARTBEAT_SECONDS):
                # The work's own transaction may hold SQLite: the next beat will do.
                with contextlib.suppress(DatabaseError):
                    Job.objects.filter(pk=self.job.pk, claim=self.job.claim).update(
                        heartbeat_at=timezone.now()
                    )
        finally:
            close_old_connections()
            from django.db import connection

            connection.close()


def _claim(job_id) -> Job | None:
    """Take the job if it waits in the queue; None when another worker has it, or it ended."""
    claim = uuid.uuid4()
    now = timezone.now()
    taken = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING,
        claim=claim,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        error="",
    )
    if not taken:
        return None
    return Job.objects.select_related("created_by").get(pk=job_id)


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next attempt, after `attempts` attempts."""
    return dt.timedelta(seconds=min(BACKOFF_MAX_SECONDS, BACKOFF_SECONDS * 4 ** (attempts - 1)))


def _end(job: Job, **fields) -> bool:
    """Record how the job ended, if this claim still holds it."""
    fields.setdefault("finished_at", timezone.now())
    ended = Job.objects.filter(pk=job.pk, claim=job.claim, state=Job.State.RUNNING).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)
    return bool(ended)


def run(job_id) -> str:
    """Carry out a queued job once (the task's body). Returns the state it ended in."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    progress = Progress(job)
    heartbeat = _Heartbeat(job)
    if in_a_worker():
        heartbeat.start()  # inside a request (the immediate backend) nobody needs to know
    try:
        declared = registered(job.kind)
        outcome = declared.function(progress, **job.params)
    except TRANSIENT as error:
        heartbeat.stopped.set()
        return _failed(job, error, transient=True)
    except Exception as error:  # recorded on the job: the list of failures shows it
        heartbeat.stopped.set()
        return _failed(job, error, transient=False)
    finally:
        heartbeat.stopped.set()
    _end(
        job,
        state=Job.State.DONE,
        outcome=outcome if isinstance(outcome, dict) else {},
        result=job.result,
        result_name=job.result_name,
        result_type=job.result_type,
        result_expires_at=job.result_expires_at,
    )
    return Job.State.DONE


def _failed(job: Job, error: BaseException, *, transient: bool) -> str:
    message = f"{type(error).__name__}: {error}"[:1000]
    if transient and job.attempts < job.max_attempts:
        logger.warning(
            "job %s (%s): attempt %s failed, retried: %s", job.pk, job.kind, job.attempts, message
        )
        run_after = timezone.now() + backoff(job.attempts)
        if _end(job, state=Job.State.QUEUED, error=message, run_after=run_after, finished_at=None):
            enqueue(job, run_after)
        return Job.State.QUEUED
    logger.error("job %s (%s) failed: %s", job.pk, job.kind, message, exc_info=error)
    _end(job, state=Job.State.FAILED, error=message)
    return Job.State.FAILED


def stale_after_seconds() -> int:
    """How long a running job may go without a heartbeat before it counts as stalled."""
    return settings.JOBS_STALE_AFTER_SECONDS


def requeue_stale(now: dt.datetime | None = None) -> int:
    """Put back in the queue, once each, the jobs whose worker stopped saying it is alive
    (it was killed or its machine went down). A job out of attempts is FAILED instead.
    Returns how many were put back."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=stale_after_seconds())
    requeued = 0
    for job in Job.objects.filter(state=Job.State.RUNNING, heartbeat_at__lt=cutoff):
        out_of_attempts = job.attempts >= job.max_attempts
        # Conditional on the claim: of two housekeepers, one moves the job.
        moved = Job.objects.filter(pk=job.pk, claim=job.claim, state=Job.State.RUNNING).update(
            state=Job.State.FAILED if out_of_attempts else Job.State.QUEUED,
            claim=None,
            error="worker stopped while running the job",
            finished_at=now if out_of_attempts else None,
        )
        if moved and not out_of_attempts:
            enqueue(job)
            requeued += 1
    return requeued


def retry(job: Job, user) -> bool:
    """An officer sends a failed job back to the queue, with its attempts counted afresh."""
    moved = Job.objects.filter(pk=job.pk, state=Job.State.FAILED).update(
        state=Job.State.QUEUED, attempts=0, claim=None, error="", finished_at=None
    )
    if moved:
        enqueue(job)
    return bool(moved)


def dismiss(job: Job, user) -> bool:
    """An officer takes a failed job off the list of failures."""
    return bool(
        Job.objects.filter(pk=job.pk, state=Job.State.FAILED).update(
            state=Job.State.DISMISSED, finished_at=timezone.now()
        )
    )


def refresh_planner_statistics() -> None:
    """SQLite: ANALYZE, the statistics its query planner chooses indexes by. SQLite keeps
    none until ANALYZE runs (PostgreSQL's autovacuum keeps its own), and without them a
    village's roster is planned from the status index, a walk through every child of the
    county (120 ms instead of 2 on the demo county; bench/README.md). About a second for a
    county's database."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def purge_files(now: dt.datetime | None = None) -> int:
    """Drop the files kept past their day (they may list children)."""
    now = now or timezone.now()
    return Job.objects.filter(result_expires_at__lt=now).update(result=None, result_expires_at=None)


def prune(now: dt.datetime | None = None) -> dict:
    """Drop the queue's finished rows after a week, and finished jobs after 30 days (the
    scheduled runs with them). The audit log keeps who made which file."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    queue_rows, _ = (
        DBTaskResult.objects.finished().filter(finished_at__lt=now - dt.timedelta(days=7)).delete()
    )
    jobs, _ = Job.objects.filter(
        state__in=(Job.State.DONE, Job.State.DISMISSED),
        finished_at__lt=now - dt.timedelta(days=30),
    ).delete()
    return {"queue_rows_dropped": queue_rows, "jobs_dropped": jobs}
