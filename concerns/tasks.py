"""Reports of concern past their deadline go to the county's officers, every hour."""

from django.utils.translation import gettext_lazy as _

from jobs import schedule, services

from .services import escalate_overdue


@services.work(
    title=_("Reports of concern past their deadline escalated"),
    counts={"escalated": _("reports escalated")},
)
def escalate_reports(progress) -> dict:
    """The hourly run of `manage.py escalate_reports`."""
    return {"escalated": escalate_overdue()}


schedule.every_hour("escalate_reports", escalate_reports, minute=5)
