"""Replace the database with a backup made by `manage.py backup`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import auditchain, backup


class Command(BaseCommand):
    help = (
        "Restore the database from a file written by `manage.py backup` (SQLite: the online "
        "backup API; PostgreSQL: pg_restore --clean --if-exists --no-owner, in one "
        "transaction). Stop the service first. A database that holds accounts is only "
        "replaced with --force. Afterwards the audit chain is verified."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a backup written by manage.py backup")
        parser.add_argument("--database", default="default", help="database alias")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that holds data"
        )

    def handle(self, *args, file, database="default", force=False, **options):
        try:
            backup.restore(Path(file), database, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        checked, _head, broken = auditchain.verify(using=database)
        backup.audit(
            database,
            "core.database.restored",
            {"file": Path(file).name, "audit_entries": checked, "chain_intact": broken is None},
        )
        self.stdout.write(f"Restored {backup.describe(database)} from {file}.")
        if broken is not None:
            raise CommandError(f"Restored, but the audit chain is broken at {broken}.")
        self.stdout.write(f"Audit chain intact: {checked} entries.")
