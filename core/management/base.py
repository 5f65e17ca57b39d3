"""Bases of the project's management commands: the daily ones (cron) and the backup pair."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from core import backup


class DailyCommand(BaseCommand):
    """A command cron runs once a day; `--on` runs it as of another day."""

    on_help = "the day to run as (YYYY-MM-DD); default today"

    def add_arguments(self, parser):
        parser.add_argument("--on", help=self.on_help)

    def handle(self, *args, on=None, **options):
        try:
            day = dt.date.fromisoformat(on) if on else None
        except ValueError as exc:
            raise CommandError("--on takes a date as YYYY-MM-DD") from exc
        self.stdout.write(self.run(day))

    def run(self, day: dt.date | None) -> str:
        """Do the day's work (`day` None: today); what to print."""
        raise NotImplementedError


class BackupCommand(BaseCommand):
    """`backup` or `restore`: a file, a database alias, a refusal as the command's error."""

    file_help = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help=self.file_help)
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, file, database="default", **options):
        try:
            self.run(file, database, **options)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc

    def run(self, file: str, database: str, **options) -> None:
        """Back up to or restore from `file` (as given)."""
        raise NotImplementedError
