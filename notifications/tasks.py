"""Notification e-mails are sent by jobs, never inside the request that wrote the
notification: a slow or absent mail server must not hold a page, and its passing errors are
retried with backoff (jobs.services.TRANSIENT covers SMTP errors)."""

from django.core.mail import send_mail
from django.utils.translation import gettext_lazy as _

from jobs import schedule, services

from . import notify


@services.work(title=_("Notification e-mail"), max_attempts=5, counts={"sent": _("e-mails sent")})
def send_email(progress, *, to: str, subject: str, body: str) -> dict:
    """Send one e-mail; an SMTP error raises, so the job is tried again later."""
    sent = send_mail(
        subject=subject, message=body, from_email=None, recipient_list=[to], fail_silently=False
    )
    return {"sent": sent}


@services.work(title=_("Daily e-mail digests"), counts={"sent": _("digests sent")})
def send_digests(progress) -> dict:
    """Daily: the digests of unread notifications (notify.send_digests)."""
    return {"sent": notify.send_digests()}


schedule.every_day("send_digests", send_digests, at="07:00")
