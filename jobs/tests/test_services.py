import datetime as dt

import pytest
from django.utils import timezone

from jobs import services
from jobs.models import Job

from . import work

pytestmark = pytest.mark.django_db


def test_a_job_runs_reports_progress_and_keeps_its_file():
    job = services.start(work.count, area_code="341623", to=4)
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert (job.done, job.total, job.step) == (4, 4, "counting")
    assert job.outcome == {"counted": 4}
    assert job.has_file
    assert services.result_bytes(job) == b"1,2,3"
    assert bytes(job.result) != b"1,2,3"  # encrypted at rest


def test_a_transient_error_is_retried_and_a_bug_fails_at_once():
    work.calls["flaky"] = 0
    job = services.start(work.flaky, fail_times=1)
    job.refresh_from_db()
    # The immediate backend runs the retry at once (no delay); the queue waits backoff().
    assert job.state == Job.State.DONE and job.attempts == 2
    broken = services.start(work.broken)
    broken.refresh_from_db()
    assert broken.state == Job.State.FAILED and broken.attempts == 1
    assert "ValueError: a bug" in broken.error


def test_a_job_that_keeps_failing_lands_on_the_list_then_is_retried_or_dismissed():
    work.calls["flaky"] = 0
    job = services.start(work.flaky, fail_times=10)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.attempts == 3
    assert list(Job.objects.failures()) == [job]
    work.calls["flaky"] = 0
    job.params = {"fail_times": 0}
    job.save()
    assert services.retry(job, None)
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    other = services.start(work.broken)
    assert services.dismiss(other, None)
    assert not Job.objects.failures().exists()


def test_backoff_grows_and_stops_at_an_hour():
    assert services.backoff(1) == dt.timedelta(seconds=30)
    assert services.backoff(2) == dt.timedelta(minutes=2)
    assert services.backoff(9) == dt.timedelta(hours=1)


def test_a_stalled_job_is_put_back_once(settings):
    job = services.start(work.count)
    stale = timezone.now() - dt.timedelta(seconds=settings.JOBS_STALE_AFTER_SECONDS + 5)
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, heartbeat_at=stale, claim=None)
    assert services.requeue_stale() == 1
    assert services.requeue_stale() == 0
    job.refresh_from_db()
    assert job.state == Job.State.DONE
