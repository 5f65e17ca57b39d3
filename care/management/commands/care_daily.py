"""Daily: notify directors of due and overdue visits; escalate overdue special-attention
children and concerns past their due date to township supervisors."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from care.daily import run


class Command(BaseCommand):
    help = (
        "Write the day's notifications for due and overdue visits and escalate special-"
        "attention children overdue by more than 15 days and concerns past their due date "
        "(once each). Idempotent: run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--on", help="the day to run as (YYYY-MM-DD); default today")

    def handle(self, *args, on=None, **options):
        try:
            day = dt.date.fromisoformat(on) if on else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--on takes a date as YYYY-MM-DD") from exc
        report = run(day)
        self.stdout.write(
            f"Care daily run for {day}: {report['overdue']} overdue, {report['due']} due soon, "
            f"{report['escalated']} escalated, {report['concerns_escalated']} concerns past due "
            f"escalated; {report['notifications']} new notifications."
        )
