"""`manage.py scheduler`: start the scheduled jobs at their times (jobs.schedule)."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from jobs import schedule


class Command(BaseCommand):
    help = "Start the scheduled jobs at their times; put back the jobs of stopped workers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=15, help="seconds between two looks (default 15)"
        )
        parser.add_argument("--once", action="store_true", help="look once, then stop")

    def handle(self, *args, interval, once, **options):
        running = True

        def stop(signum, frame):
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(f"{e.name} ({e.when})" for e in schedule.scheduled())
        self.stdout.write(f"scheduler: {names}")
        while running:
            close_old_connections()
            try:
                for job in schedule.tick():
                    self.stdout.write(f"scheduler: started {job.title} ({job.pk})")
            except DatabaseError as error:  # the database away for a moment: look again
                self.stderr.write(f"scheduler: {error}")
            if once:
                break
            slept = 0.0
            while running and slept < interval:
                time.sleep(0.5)
                slept += 0.5
