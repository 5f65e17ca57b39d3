"""A job's own page: how far the work is (polled by htmx while it waits or runs), then its
file to download, or what went wrong in plain words. A job and its file belong to the user
who started it: anyone else gets 404 (the job may be about children they do not see)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache

from core.audit import log_action
from core.htmx import render_page
from core.routes import Routes

from . import services
from .models import Job

route = Routes()


def own_job_or_404(request, pk, *, with_file: bool = False) -> Job:
    """The user's own job; 404 for every other user's, whoever they are."""
    jobs = Job.objects.filter(created_by_id=request.user.pk)
    if not with_file:
        jobs = jobs.defer("result")
    return get_object_or_404(jobs, pk=pk)


def file_expired(job: Job) -> bool:
    return job.result_expires_at is None or job.result_expires_at <= timezone.now()


@route("<uuid:pk>/", name="job")
@never_cache
def job_page(request, pk):
    """Title, state and progress; polled every 2 s (the fragment alone) until the work ends."""
    job = own_job_or_404(request, pk)
    context = {"job": job, "expired": job.state == Job.State.DONE and file_expired(job)}
    return render_page(request, "jobs/job.html", context, "jobs/_progress.html")


@route("<uuid:pk>/download/", name="download")
@never_cache
def download(request, pk):
    """The file the job made, to its creator only; audited as an export. A file past its day
    (or never made) answers 410 with a page that says so."""
    job = own_job_or_404(request, pk, with_file=True)
    if job.state != Job.State.DONE or not job.result_name:
        raise Http404
    if job.result is None or file_expired(job):
        return render(request, "jobs/expired.html", {"job": job}, status=410)
    content = services.result_bytes(job)
    log_action(
        request.user,
        "jobs.file.downloaded",
        job,
        {
            "kind": job.kind,
            "title": job.title,
            "name": job.result_name,
            "bytes": len(content),
            "outcome": job.outcome,
        },
        area_code=job.area_code,
    )
    response = HttpResponse(content, content_type=job.result_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, job.result_name)
    response["Cache-Control"] = "no-store"
    return response
