"""Recount every village's figures now, in this process; or, with --in-workers, start the
nightly job (stats.tasks.refresh_stats) whose chunks the workers of queue "stats" share."""

import time

from django.core.management.base import BaseCommand

from jobs import services as jobs
from stats.services import refresh_all
from stats.tasks import refresh_stats


class Command(BaseCommand):
    help = "Recount every village's dashboard figures (ages, this month's visits, this quarter)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--in-workers",
            action="store_true",
            help="start the chunked job for the workers (queue 'stats') instead of counting here",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["in_workers"]:
            job = jobs.start(refresh_stats)
            self.stdout.write(f"job {job.pk} started: its chunks run in the workers")
            return
        count = refresh_all()
        self.stdout.write(f"{count} villages recounted in {time.perf_counter() - started:.1f} s")
