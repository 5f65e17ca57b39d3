"""Telling people: the in-app list (Notification rows) and e-mail through Django's mail
system (console backend in the demo; SMTP settings in README), sent by jobs
(notifications/tasks.py), never inside a request. Urgent kinds are e-mailed at once;
everything unread goes into a daily digest per user. Each user chooses
(NotificationPreference); a user without an e-mail address gets the in-app list only."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import User
from people.roles import Role

from .models import Notification, NotificationPreference

AT_ONCE = {Notification.Kind.REPORT, Notification.Kind.REPORT_OVERDUE, Notification.Kind.CHANGE}


def preference(user) -> NotificationPreference:
    """The user's choice of e-mails (the defaults, unsaved, when they never chose)."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


def _absolute(link: str) -> str:
    base = getattr(settings, "SHOUHU_BASE_URL", "").rstrip("/")
    return f"{base}{link}" if link else base


def responsible_for(area) -> list:
    """Who hears of a village's child at once: its directors and its township's supervisors."""

    return list(
        User.objects.select_related("area")
        .filter(is_active=True)
        .filter(
            Q(role=Role.DIRECTOR, area_id=area.pk)
            | Q(role=Role.TOWNSHIP_SUPERVISOR, area_id=area.parent_id)
        )
    )


def notify(users, kind, text, link="", child=None, day=None) -> int:
    """Put a notification in each user's list (one per recipient, kind, child and day) and
    e-mail it to those who want it at once. Returns how many were made."""
    day = day or timezone.localdate()
    notes = [
        Notification(recipient=u, kind=kind, child=child, day=day, text=text[:300], link=link)
        for u in users
    ]
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    deliver(notes)
    return len(notes)


def deliver(notifications) -> int:
    """Queue an e-mail of each urgent one to those who want it at once (a job per e-mail:
    notifications.tasks.send_email); returns how many were queued."""
    from jobs.services import start

    from .tasks import send_email

    queued = 0
    for note in notifications:
        if note.kind not in AT_ONCE or not note.recipient.email:
            continue
        if not preference(note.recipient).email_at_once:
            continue
        body = note.text + ("\n\n" + _absolute(note.link) if note.link else "")
        start(
            send_email,
            area_code=note.recipient.audit_area_code,
            to=note.recipient.email,
            subject=f"[{_('Shouhu')}] {note.get_kind_display()}",
            body=body,
        )
        queued += 1
    return queued


def send_digests(now: dt.datetime | None = None) -> int:
    """Daily: each user with unread notifications since their last digest, and a digest
    wanted, gets one e-mail listing them. Returns how many digests were sent."""
    now = now or timezone.now()
    since_default = now - dt.timedelta(days=1)
    unread = Notification.objects.filter(read=False, created_at__lte=now)
    users = User.objects.filter(pk__in=unread.values("recipient_id"), is_active=True).exclude(
        email=""
    )
    sent = 0
    for user in users:
        pref = preference(user)
        if not pref.daily_digest:
            continue
        since = pref.digest_sent_at or since_default
        items = list(
            unread.filter(recipient=user, created_at__gt=since).order_by("kind", "day")[:100]
        )
        if not items:
            continue
        lines = [f"- {n.get_kind_display()}: {n.text}" for n in items]
        body = "\n".join(
            [
                _("%(n)s new notifications since %(since)s:")
                % {"n": len(items), "since": timezone.localtime(since).strftime("%Y-%m-%d %H:%M")},
                "",
                *lines,
                "",
                _absolute("/care/notifications/"),
            ]
        )
        if send_mail(
            subject=f"[{_('Shouhu')}] {_('Daily digest')}",
            message=body,
            from_email=None,
            recipient_list=[user.email],
            # An SMTP error fails the job, which is tried again: those sent are marked.
            fail_silently=False,
        ):
            sent += 1
        pref.digest_sent_at = now
        pref.save()
    return sent
