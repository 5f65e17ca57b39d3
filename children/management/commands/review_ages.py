"""Daily: children who turned 16 leave the left-behind register; at 18 records close."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from children.services import review_ages


class Command(BaseCommand):
    help = (
        "Classify every active child again as of today (birthdays, six-month durations); close "
        "records at 16 when nothing else applies, and at 18. Idempotent: run it daily (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--on", help="the day to review as (YYYY-MM-DD); default today")

    def handle(self, *args, on=None, **options):
        try:
            day = dt.date.fromisoformat(on) if on else None
        except ValueError as exc:
            raise CommandError("--on takes a date as YYYY-MM-DD") from exc
        report = review_ages(day)
        self.stdout.write(
            f"Daily review: {report['reclassified']} reclassified, "
            f"{report['closed_16']} closed at 16, {report['closed_18']} closed at 18."
        )
