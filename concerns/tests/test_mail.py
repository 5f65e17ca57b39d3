"""Notices by e-mail: urgent ones at once, a daily digest, each as the user chooses."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from concerns import services
from notifications.models import NotificationPreference
from notifications.notify import send_digests
from tests.personas import CONCERN

pytestmark = pytest.mark.django_db

REPORT = CONCERN


def test_a_report_is_mailed_at_once_and_in_the_digest(world, director, township_officer):
    director.email = "director@example.cn"
    director.save()
    township_officer.email = "township@example.cn"
    township_officer.save()
    NotificationPreference.objects.create(user=township_officer, email_at_once=False)
    services.receive({**REPORT, "area": world["a1"]}, source="public")
    assert [m.to for m in mail.outbox] == [["director@example.cn"]]
    assert "王庄村" in mail.outbox[0].body and "/reports/" in mail.outbox[0].body
    mail.outbox.clear()
    later = timezone.now() + dt.timedelta(minutes=1)
    assert send_digests(later) == 2
    assert {tuple(m.to) for m in mail.outbox} == {
        ("director@example.cn",),
        ("township@example.cn",),
    }
    mail.outbox.clear()
    assert send_digests(later + dt.timedelta(hours=1)) == 0  # nothing new since


def test_users_choose_their_emails(client, world, director):
    director.email = "director@example.cn"
    director.save()
    client.force_login(director)
    page = client.get(reverse("care:notification_preferences"))
    assert page.status_code == 200
    client.post(reverse("care:notification_preferences"), {"email_at_once": "", "daily_digest": ""})
    preference = NotificationPreference.objects.get(user=director)
    assert not preference.email_at_once and not preference.daily_digest
    services.receive({**REPORT, "area": world["a1"]}, source="public")
    assert mail.outbox == []
    assert send_digests(timezone.now() + dt.timedelta(minutes=1)) == 0
