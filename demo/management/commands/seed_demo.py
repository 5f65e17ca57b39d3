"""Load the demo county (Lixin, 341623) with generated villages, homes and people."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo.seed import SCALES, NonDemoDataError, seed_demo
from jobs.services import refresh_planner_statistics


class Command(BaseCommand):
    help = "Load the demo county once (a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="county")
        parser.add_argument("--seed", type=int, default=341623)

    def handle(self, *args, scale, seed, **options):
        started, cpu = time.perf_counter(), time.process_time()
        try:
            # The villages' figures are recounted when the seed's transaction commits.
            counts = seed_demo(scale, seed)
        except NonDemoDataError as exc:
            raise CommandError(str(exc)) from exc
        if counts.get("already_loaded"):
            self.stdout.write("Demo data already loaded; nothing changed.")
            return
        # The query planner's statistics of the tables just filled (jobs.services: SQLite
        # has none until ANALYZE runs; the daily clean-up makes them anew).
        refresh_planner_statistics()
        seconds = counts.pop("seconds", {})
        summary = ", ".join(f"{key}: {value}" for key, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo county loaded ({scale}): {summary}"))
        steps = ", ".join(f"{key} {value}" for key, value in seconds.items())
        self.stdout.write(
            f"Seeded in {time.perf_counter() - started:.1f} s "
            f"({time.process_time() - cpu:.1f} s of processor time; by step: {steps})"
        )
