"""Care's scheduled job: the day's notifications of due and overdue visits, escalations."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs import schedule, services

from .daily import run


@services.work(
    title=_("Due and overdue visits: notifications and escalations"),
    counts={
        "due": _("visits due soon"),
        "overdue": _("visits overdue"),
        "escalated": _("children escalated"),
        "concerns_escalated": _("concerns escalated"),
        "notifications": _("notifications written"),
    },
)
def care_daily(progress) -> dict:
    """The daily run of `manage.py care_daily`; its counts are the run's outcome."""
    return run(timezone.localdate())


schedule.every_day("care_daily", care_daily, at="01:10")
