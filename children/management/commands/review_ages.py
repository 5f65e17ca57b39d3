"""Daily: children who turned 16 leave the left-behind register; at 18 records close."""

from children.services import review_ages
from core.management.base import DailyCommand


class Command(DailyCommand):
    help = (
        "Classify every active child again as of today (birthdays, six-month durations); close "
        "records at 16 when nothing else applies, and at 18. Idempotent: run it daily (cron)."
    )
    on_help = "the day to review as (YYYY-MM-DD); default today"

    def run(self, day):
        report = review_ages(day)
        return (
            f"Daily review: {report['reclassified']} reclassified, "
            f"{report['closed_16']} closed at 16, {report['closed_18']} closed at 18."
        )
