"""Replace the database with a backup made by `manage.py backup`."""

from pathlib import Path

from django.core.management.base import CommandError

from core import auditchain, backup
from core.management.base import BackupCommand


class Command(BackupCommand):
    help = (
        "Restore the database from a file written by `manage.py backup` (SQLite: the online "
        "backup API; PostgreSQL: pg_restore --clean --if-exists --no-owner, in one "
        "transaction). Stop the service first. A database that holds accounts is only "
        "replaced with --force. Afterwards the audit chain is verified."
    )
    file_help = "a backup written by manage.py backup"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--force", action="store_true", help="replace a database that holds data"
        )

    def run(self, file, database, force=False, **options):
        backup.restore(Path(file), database, force=force)
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
