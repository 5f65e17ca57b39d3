"""The operations page: what the background work is doing, for the county officer (their
county's and the scheduler's jobs) and the superuser (everything)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from core.audit import log_action
from core.routes import Routes
from people.roles import may_operate

from . import schedule, services
from .models import Job

route = Routes()

SHOWN = 50  # failures and running jobs listed (the rest are counted)


def jobs_for(user):
    """The jobs the user looks after: their jurisdiction's and the scheduler's own (which
    hold no child data); all of them for a superuser."""
    if user.is_superuser:
        return Job.objects.all()
    prefix = user.jurisdiction_prefix or ""
    return Job.objects.filter(Q(area_code="") | Q(area_code__startswith=prefix))


def _counts(entry, run) -> list:
    if run is None or run.job is None:
        return []
    return entry.function.work.outcome_lines(run.job.outcome)


def _allowed(request):
    if not may_operate(request.user):
        raise PermissionDenied


@route("operations/", name="operations")
def operations(request):
    """Queue length, running jobs, the last run of each scheduled job, failures."""
    _allowed(request)
    now = timezone.now()
    # Tasks waiting for a worker: due now, or later (a retry's delay).
    later = Q(run_after__gt=now) & ~Q(run_after=get_date_max())
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).aggregate(
        n=Count("pk"), later=Count("pk", filter=later), oldest=Min("enqueued_at")
    )
    mine = jobs_for(request.user).defer("result")
    running = list(mine.filter(state=Job.State.RUNNING).select_related("created_by")[:SHOWN])
    failures = mine.failures().select_related("created_by").order_by("-finished_at")
    stale_after = dt.timedelta(seconds=services.stale_after_seconds())
    context = {
        "waiting": waiting["n"],
        "waiting_later": waiting["later"],
        "oldest_wait": waiting["oldest"],
        "queued": mine.filter(state=Job.State.QUEUED).count(),
        "running": running,
        "stalled_before": now - stale_after,
        "runs": [(entry, run, _counts(entry, run)) for entry, run in schedule.last_runs()],
        "failures": list(failures[:SHOWN]),
        "failure_count": failures.count(),
        "now": now,
    }
    return render(request, "jobs/operations.html", context)


def _failure(request, pk):
    _allowed(request)
    return get_object_or_404(jobs_for(request.user).failures().defer("result"), pk=pk)


@route("operations/<uuid:pk>/retry/", name="retry")
@require_POST
def retry(request, pk):
    """Send a failed job back to the queue, its attempts counted afresh."""
    job = _failure(request, pk)
    if services.retry(job, request.user):
        log_action(
            request.user,
            "jobs.job.retried",
            job,
            {"kind": job.kind, "title": job.title},
            area_code=job.area_code,
        )
        messages.success(request, _("“%(title)s” is back in the queue.") % {"title": job.title})
    return redirect("jobs:operations")


@route("operations/<uuid:pk>/dismiss/", name="dismiss")
@require_POST
def dismiss(request, pk):
    """Take a failed job off the list (it stays in the records)."""
    job = _failure(request, pk)
    if services.dismiss(job, request.user):
        log_action(
            request.user,
            "jobs.job.dismissed",
            job,
            {"kind": job.kind, "title": job.title},
            area_code=job.area_code,
        )
        messages.success(request, _("“%(title)s” was dismissed.") % {"title": job.title})
    return redirect("jobs:operations")


@route("operations/reencrypt/", name="reencrypt")
@require_POST
def reencrypt(request):
    """The superuser starts the re-encryption of every encrypted value under the newest key
    (jobs.rotation); the answer is the job's page. Audited."""
    if not request.user.is_superuser:
        raise PermissionDenied
    from .rotation import reencrypt as work

    job = services.start(work, user=request.user)
    log_action(
        request.user,
        "jobs.reencrypt.started",
        job,
        {"kind": job.kind, "title": job.title},
        area_code="",
    )
    return redirect("jobs:job", pk=job.pk)
