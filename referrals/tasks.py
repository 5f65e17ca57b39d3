"""Referrals not answered in time go up, daily."""

from django.utils.translation import gettext_lazy as _

from jobs import schedule, services

from .services import escalate_overdue


@services.work(
    title=_("Unanswered referrals escalated"), counts={"escalated": _("referrals escalated")}
)
def escalate_referrals(progress) -> dict:
    """The daily run of `manage.py escalate_referrals`."""
    return {"escalated": escalate_overdue()}


schedule.every_day("escalate_referrals", escalate_referrals, at="02:00")
