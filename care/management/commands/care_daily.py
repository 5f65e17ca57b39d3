"""Daily: notify directors of due and overdue visits; escalate overdue special-attention
children and concerns past their due date to township supervisors."""

from django.utils import timezone

from care.daily import run
from core.management.base import DailyCommand


class Command(DailyCommand):
    help = (
        "Write the day's notifications for due and overdue visits and escalate special-"
        "attention children overdue by more than 15 days and concerns past their due date "
        "(once each). Idempotent: run it daily."
    )

    def run(self, day):
        day = day or timezone.localdate()
        report = run(day)
        return (
            f"Care daily run for {day}: {report['overdue']} overdue, {report['due']} due soon, "
            f"{report['escalated']} escalated, {report['concerns_escalated']} concerns past due "
            f"escalated; {report['notifications']} new notifications."
        )
