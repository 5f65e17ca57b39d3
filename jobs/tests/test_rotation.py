"""The re-encryption as a job: started by the superuser from the operations page, audited."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from children.models import Child
from core import crypto, idnumber
from core.models import AuditEntry
from jobs.models import Job
from tests.personas import make_child, make_user

NUMBERS = [idnumber.make("341623", dt.date(2016, 5, 1), seq) for seq in (123, 125, 127)]


def keys(*keys, lookup=""):
    return override_settings(FIELD_ENCRYPTION_KEYS=list(keys), FIELD_LOOKUP_KEY=lookup)


@pytest.fixture
def superuser(world):
    return make_user("root", "", None, is_superuser=True, is_staff=True)


@pytest.fixture
def children_under_a(world, county_officer):
    with keys("key-A"):
        return [
            make_child(world["a1"], f"王小{i}", id_number=number, actor=county_officer)
            for i, number in enumerate(NUMBERS)
        ]


def test_the_superuser_reencrypts_from_the_operations_page_audited(
    client, superuser, children_under_a, django_assert_max_num_queries
):
    client.force_login(superuser)
    with keys("key-B", "key-A", lookup="key-A"):
        page = client.get(reverse("jobs:operations")).content.decode()
        assert 'data-testid="reencrypt"' in page and reverse("jobs:reencrypt") in page
        response = client.post(reverse("jobs:reencrypt"))
        assert response.status_code == 302
        job = Job.objects.get(kind="jobs.rotation.reencrypt")
        assert response["Location"] == reverse("jobs:job", args=[job.pk])
        assert job.state == Job.State.DONE and job.created_by == superuser
        assert job.outcome["rotated"] >= 3 and job.outcome["unreadable"] == 0
        ciphers = Child.objects.values_list("id_cipher", flat=True)
        assert all(crypto.is_current(c) for c in ciphers)
        with django_assert_max_num_queries(6):
            job_page = client.get(response["Location"])
        assert b'data-state="done"' in job_page.content
    with keys("key-B", lookup="key-A"):
        assert sorted(c.id_number for c in Child.objects.all()) == sorted(NUMBERS)
    started = AuditEntry.objects.get(action="jobs.reencrypt.started")
    rotated = AuditEntry.objects.get(action="core.keys.rotated")
    assert started.actor == superuser and rotated.actor == superuser


def test_values_no_key_decrypts_fail_the_job_with_their_list(client, superuser, children_under_a):
    client.force_login(superuser)
    with keys("key-C"):
        response = client.post(reverse("jobs:reencrypt"))
    job = Job.objects.get()
    assert job.state == Job.State.FAILED and "3 value(s)" in job.error
    assert b'data-testid="job-failed"' in client.get(response["Location"]).content


def test_only_the_superuser_may_start_it(client, county_officer, superuser):
    client.force_login(county_officer)
    assert b'data-testid="reencrypt"' not in client.get(reverse("jobs:operations")).content
    assert client.post(reverse("jobs:reencrypt")).status_code == 403
    client.force_login(superuser)
    assert client.get(reverse("jobs:reencrypt")).status_code == 405
    assert not Job.objects.exists()
    assert not AuditEntry.objects.filter(action="jobs.reencrypt.started").exists()
