"""Re-encrypt every encrypted value under the newest field-encryption key (core.keys; the
operations page starts the same work as a background job)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import crypto
from core.keys import rotate_all, unreadable_message


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value (identity numbers, uploaded rosters) under the newest "
        "key of FIELD_ENCRYPTION_KEYS, and re-hash lookup hashes under the current lookup key, "
        "in batches, each in its own transaction, printing progress. Values already under the "
        "newest key are skipped, so it is safe to interrupt and run again. Exits non-zero when "
        "some value cannot be decrypted with any configured key (their ids are listed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")

    def handle(self, *args, batch_size=500, **options):
        keys = crypto.encryption_keys()
        if len(keys) > 1 and not getattr(settings, "FIELD_LOOKUP_KEY", ""):
            self.stdout.write(
                "Note: FIELD_LOOKUP_KEY is not set, so searches use a hash keyed by the OLDEST "
                "key in FIELD_ENCRYPTION_KEYS. Before removing that key from the list, set "
                "FIELD_LOOKUP_KEY to its value (or run this command again afterwards to "
                "re-hash under the next oldest)."
            )
        rotation = rotate_all(batch_size=batch_size, report=self.stdout.write)
        totals = rotation.totals
        self.stdout.write(
            f"Done: {totals['rotated']} re-encrypted, {totals['rehashed']} re-hashed, "
            f"{totals['current']} already current, {totals['unreadable']} unreadable."
        )
        if rotation.unreadable:
            raise CommandError(unreadable_message(rotation.unreadable))
