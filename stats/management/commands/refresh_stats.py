"""Recount every village's figures (daily, from cron, after care_daily and review_ages)."""

import time

from django.core.management.base import BaseCommand

from stats.services import refresh_all


class Command(BaseCommand):
    help = "Recount every village's dashboard figures (ages, this month's visits, this quarter)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = refresh_all()
        self.stdout.write(f"{count} villages recounted in {time.perf_counter() - started:.1f} s")
