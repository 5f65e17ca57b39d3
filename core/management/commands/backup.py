"""Back up the whole database to one file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = (
        "Write a backup of the database to a new file: SQLite through its online backup API "
        "(safe while the server runs), PostgreSQL with pg_dump -Fc. The file holds identity "
        "numbers encrypted; the keys are not in it: keep them apart (README: Keys and "
        "backups). Restore with `manage.py restore FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to write (must not exist)")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, file, database="default", **options):
        try:
            size = backup.backup(Path(file), database)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        backup.audit(database, "core.database.backed_up", {"file": Path(file).name, "bytes": size})
        self.stdout.write(f"Backed up {backup.describe(database)} to {file} ({size} bytes).")
