import pytest
from django.urls import reverse

from core.models import AuditEntry
from jobs import schedule, services
from jobs.models import Job

from . import work

pytestmark = pytest.mark.django_db


def test_the_county_officer_sees_queue_runs_and_failures_and_others_may_not(
    client, county_officer, township_officer, django_assert_max_num_queries
):
    schedule.tick()
    failed = services.start(work.broken, area_code=county_officer.area.code)
    elsewhere = services.start(work.broken, area_code="110101000000")
    client.force_login(county_officer)
    for _ in range(2):
        with django_assert_max_num_queries(12):
            response = client.get(reverse("jobs:operations"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="scheduled-care_daily"' in page
    assert failed.title in page and page.count('data-testid="failure"') == 1
    assert str(elsewhere.pk) not in page
    client.force_login(township_officer)
    assert client.get(reverse("jobs:operations")).status_code == 403


def test_a_failure_is_retried_or_dismissed_by_the_officer_audited(client, county_officer):
    work.calls["flaky"] = 0
    failed = services.start(work.flaky, area_code=county_officer.area.code, fail_times=3)
    other = services.start(work.broken, area_code=county_officer.area.code)
    client.force_login(county_officer)
    work.calls["flaky"] = 3  # the cause is mended: the next attempt succeeds
    response = client.post(reverse("jobs:retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == Job.State.DONE
    client.post(reverse("jobs:dismiss", args=[other.pk]))
    other.refresh_from_db()
    assert other.state == Job.State.DISMISSED
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"jobs.job.retried", "jobs.job.dismissed"} <= actions
    # Not a failure any more: nothing to retry.
    assert client.post(reverse("jobs:retry", args=[other.pk])).status_code == 404
    assert client.get(reverse("jobs:retry", args=[failed.pk])).status_code == 405
