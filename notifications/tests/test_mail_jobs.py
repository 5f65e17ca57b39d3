"""Notification e-mails are sent by jobs, never inside the request (issue 17, point 4)."""

import smtplib

import pytest
from django.core import mail
from django.test import override_settings

from concerns import services as concerns
from jobs import schedule
from jobs import services as jobs
from jobs.models import Job
from tests.personas import CONCERN

pytestmark = pytest.mark.django_db

# The queue of a real deployment: a started job waits for a worker.
QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "stats"]}}


def mail_jobs():
    return Job.objects.filter(kind="notifications.tasks.send_email")


@override_settings(TASKS=QUEUED)
def test_a_report_queues_its_email_and_the_request_sends_none(client, world, director):
    director.email = "director@example.cn"
    director.save()
    concerns.receive({**CONCERN, "area": world["a1"]}, source="public")
    assert mail.outbox == []  # nothing sent inside the request
    job = mail_jobs().get()
    assert job.state == Job.State.QUEUED and job.area_code == world["a1"].code
    assert jobs.run(job.pk) == Job.State.DONE  # what a worker does
    assert [m.to for m in mail.outbox] == [["director@example.cn"]]
    assert "王庄村" in mail.outbox[0].body


@override_settings(TASKS=QUEUED)
def test_a_mail_server_away_is_tried_again_later(world, director, monkeypatch):
    director.email = "director@example.cn"
    director.save()
    concerns.receive({**CONCERN, "area": world["a1"]}, source="public")
    job = mail_jobs().get()

    def away(backend, messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", away)
    assert jobs.run(job.pk) == Job.State.QUEUED
    job.refresh_from_db()
    assert job.attempts == 1 and job.run_after is not None and "SMTP" in job.error
    assert mail.outbox == []
    monkeypatch.undo()
    assert jobs.run(job.pk) == Job.State.DONE
    assert len(mail.outbox) == 1


def test_the_digests_are_a_daily_scheduled_job():
    entry = {e.name: e for e in schedule.scheduled()}["send_digests"]
    assert (entry.every, entry.when) == ("day", "07:00")
    job = jobs.start(entry.function)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.outcome == {"sent": 0}
