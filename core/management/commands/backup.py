"""Back up the whole database to one file."""

from pathlib import Path

from core import backup
from core.management.base import BackupCommand


class Command(BackupCommand):
    help = (
        "Write a backup of the database to a new file: SQLite through its online backup API "
        "(safe while the server runs), PostgreSQL with pg_dump -Fc. The file holds identity "
        "numbers encrypted; the keys are not in it: keep them apart (README: Keys and "
        "backups). Restore with `manage.py restore FILE`."
    )
    file_help = "the backup file to write (must not exist)"

    def run(self, file, database, **options):
        size = backup.backup(Path(file), database)
        backup.audit(database, "core.database.backed_up", {"file": Path(file).name, "bytes": size})
        self.stdout.write(f"Backed up {backup.describe(database)} to {file} ({size} bytes).")
