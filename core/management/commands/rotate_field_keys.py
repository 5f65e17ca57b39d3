"""Re-encrypt every encrypted value under the newest field-encryption key."""

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import crypto
from core.audit import log_action


def encrypted_columns():
    """(model, field, lookup-hash field or None) for every model's `encrypted_fields`."""
    for model in apps.get_models():
        for field, hash_field in getattr(model, "encrypted_fields", {}).items():
            yield model, field, hash_field


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
        totals = {"rotated": 0, "rehashed": 0, "current": 0, "unreadable": 0}
        unreadable = []
        for model, field, hash_field in encrypted_columns():
            counts, bad = self._rotate_column(model, field, hash_field, batch_size)
            for key, value in counts.items():
                totals[key] += value
            unreadable += [f"{model._meta.label_lower}:{pk}" for pk in bad]
        self.stdout.write(
            f"Done: {totals['rotated']} re-encrypted, {totals['rehashed']} re-hashed, "
            f"{totals['current']} already current, {totals['unreadable']} unreadable."
        )
        log_action(None, "core.keys.rotated", data={**totals, "keys": len(keys)})
        if unreadable:
            shown = ", ".join(unreadable[:50]) + (" …" if len(unreadable) > 50 else "")
            raise CommandError(
                f"{len(unreadable)} value(s) cannot be decrypted with any configured key and "
                f"were left as they are: {shown}. Add the key they were encrypted with to "
                "FIELD_ENCRYPTION_KEYS and run again; without it they are lost (re-enter them)."
            )

    def _rotate_column(self, model, field, hash_field, batch_size):
        """Rotate one column in primary-key order; returns the counts and unreadable pks."""
        label = f"{model._meta.label_lower}.{field}"
        manager = model._base_manager
        binary = model._meta.get_field(field).get_internal_type() == "BinaryField"
        if binary:
            batch_size = max(1, min(batch_size, 20))  # whole files: keep a batch small
        total = manager.count()
        counts = {"rotated": 0, "rehashed": 0, "current": 0, "unreadable": 0}
        bad, done, last = [], 0, None
        columns = ["pk", field] + ([hash_field] if hash_field else [])
        while True:
            with transaction.atomic():
                rows = manager.order_by("pk")
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                # Locked (on PostgreSQL) so that an edit made meanwhile is not overwritten.
                rows = list(rows.select_for_update().values_list(*columns)[:batch_size])
                if not rows:
                    break
                changed = []
                for row in rows:
                    outcome, obj = self._rotate_value(model, field, hash_field, row, binary)
                    counts[outcome] += 1
                    if outcome == "unreadable":
                        bad.append(row[0])
                    if obj is not None:
                        changed.append(obj)
                if changed:
                    model._base_manager.bulk_update(
                        changed, [field] + ([hash_field] if hash_field else [])
                    )
            last = rows[-1][0]
            done += len(rows)
            self.stdout.write(f"{label}: {done}/{total}")
        if total == 0:
            self.stdout.write(f"{label}: 0/0")
        return counts, bad

    @staticmethod
    def _rotate_value(model, field, hash_field, row, binary):
        """One value: ("current"|"rotated"|"rehashed"|"unreadable", instance to save or None)."""
        pk, value = row[0], row[1]
        if not value:
            return "current", None
        value = bytes(value) if binary else value
        try:
            plain = crypto.decrypt_bytes(value) if binary else crypto.decrypt(value)
        except crypto.UndecryptableError:
            return "unreadable", None
        outcome, new_value = "current", value
        if not crypto.is_current(value):
            outcome = "rotated"
            new_value = crypto.encrypt_bytes(plain) if binary else crypto.encrypt(plain)
        new_hash = crypto.lookup_hash(plain) if hash_field else None
        if hash_field and new_hash != row[2]:
            outcome = "rehashed" if outcome == "current" else outcome
        elif outcome == "current":
            return outcome, None
        obj = model(pk=pk, **{field: new_value})
        if hash_field:
            setattr(obj, hash_field, new_hash)
        return outcome, obj
