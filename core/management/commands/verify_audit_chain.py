"""Check that no audit entry was changed, inserted or deleted since it was written."""

from django.core.management.base import BaseCommand, CommandError

from core import auditchain


class Command(BaseCommand):
    help = (
        "Walk the audit log's hash chain in id order (in batches) and recompute every entry's "
        "hash. Prints the number of entries and the head hash (record it outside the "
        "database); exits non-zero naming the first entry (id and time) where the chain breaks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, batch_size=2000, database="default", **options):
        def progress(done):
            self.stdout.write(f"audit entries: {done} checked")

        checked, head, broken = auditchain.verify(batch_size, progress, using=database)
        if broken is not None:
            raise CommandError(
                f"The audit chain is broken at {broken} ({checked} entries before it hold)."
            )
        self.stdout.write(f"Audit chain intact: {checked} entries, head hash {head}.")
