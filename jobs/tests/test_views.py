"""A job's page and its download: the creator's only, polled while it runs, audited."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from jobs import services
from jobs.models import Job

from . import work

pytestmark = pytest.mark.django_db


def test_the_creator_sees_the_job_done_and_downloads_its_file_audited(
    client, county_officer, django_assert_max_num_queries
):
    job = services.start(work.count, user=county_officer, area_code=county_officer.area.code)
    client.force_login(county_officer)
    for _ in range(2):
        with django_assert_max_num_queries(6):
            response = client.get(reverse("jobs:job", args=[job.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="done"' in page and "every 2s" not in page
    assert reverse("jobs:download", args=[job.pk]) in page
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    assert response.content == b"1,2,3"
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith("attachment")
    assert "count.csv" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="jobs.file.downloaded")
    assert entry.actor == county_officer and entry.area_code == county_officer.area.code
    assert entry.data["name"] == "count.csv"


def test_a_running_job_is_polled_every_two_seconds_and_the_fragment_alone_answers_htmx(
    client, county_officer
):
    job = Job.objects.create(
        kind="jobs.tests.work.count",
        title="Count to three",
        created_by=county_officer,
        state=Job.State.RUNNING,
        done=2,
        total=5,
        step="counting",
    )
    client.force_login(county_officer)
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "<progress" in page and "counting" in page
    fragment = client.get(reverse("jobs:job", args=[job.pk]), headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert 'data-testid="job-progress"' in body and "<html" not in body
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_anyone_but_the_creator_gets_404(client, county_officer, everyone):
    job = services.start(work.count, user=county_officer, area_code=county_officer.area.code)
    for persona, user in everyone.items():
        if user == county_officer:
            continue
        client.force_login(user)
        assert client.get(reverse("jobs:job", args=[job.pk])).status_code == 404, persona
        assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404, persona
    # The scheduler's own jobs have no creator: nobody's page.
    scheduled = services.start(work.count)
    assert client.get(reverse("jobs:job", args=[scheduled.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="jobs.file.downloaded").exists()


def test_an_expired_file_is_gone_with_a_clear_message(client, county_officer):
    job = services.start(work.count, user=county_officer, area_code=county_officer.area.code)
    Job.objects.filter(pk=job.pk).update(result_expires_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(county_officer)
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert 'data-testid="job-expired"' in page
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 410 and b'data-testid="job-expired"' in response.content
    services.purge_files()
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 410
    assert not AuditEntry.objects.filter(action="jobs.file.downloaded").exists()


def test_a_failed_job_says_so_in_plain_words(client, county_officer):
    job = services.start(work.broken, user=county_officer)
    client.force_login(county_officer)
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert 'data-testid="job-failed"' in page and "every 2s" not in page
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
