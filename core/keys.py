"""Re-encryption of every encrypted value (identity numbers, uploaded rosters, files kept by
jobs) under the newest key of FIELD_ENCRYPTION_KEYS, and re-hashing of lookup hashes under
the current lookup key: `rotate_all`, shared by `manage.py rotate_field_keys` and the
background job the superuser starts from the operations page (jobs.rotation).

Column by column, in batches, each in its own transaction; values already under the newest
key are skipped, so it is safe to interrupt and run again. A value that no configured key
decrypts is left as it is and listed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction

from core import crypto
from core.audit import log_action

BINARY_BATCH = 20  # whole files: keep a batch small


def encrypted_columns():
    """(model, field, lookup-hash field or None) for every model's `encrypted_fields`."""
    for model in apps.get_models():
        for name, hash_field in getattr(model, "encrypted_fields", {}).items():
            yield model, name, hash_field


@dataclass
class Rotation:
    """What a rotation did: its counts, and the values no key decrypts ("label:pk")."""

    totals: dict = field(
        default_factory=lambda: {"rotated": 0, "rehashed": 0, "current": 0, "unreadable": 0}
    )
    unreadable: list = field(default_factory=list)


def rotate_all(
    *,
    batch_size: int = 500,
    actor=None,
    report: Callable[[str], None] | None = None,
    progress: Callable | None = None,
) -> Rotation:
    """Rotate every encrypted column; `report(line)` gets "label: done/total" after each
    batch (the command prints it), `progress(done, total, step)` the same as a job's
    progress. Audited as core.keys.rotated (by `actor`, or the system)."""
    rotation = Rotation()
    for model, name, hash_field in encrypted_columns():
        counts, bad = rotate_column(model, name, hash_field, batch_size, report, progress)
        for key, value in counts.items():
            rotation.totals[key] += value
        rotation.unreadable += [f"{model._meta.label_lower}:{pk}" for pk in bad]
    log_action(
        actor,
        "core.keys.rotated",
        data={**rotation.totals, "keys": len(crypto.encryption_keys())},
        area_code="",
    )
    return rotation


def rotate_column(model, name, hash_field, batch_size, report=None, progress=None):
    """Rotate one column in primary-key order; returns the counts and unreadable pks."""
    label = f"{model._meta.label_lower}.{name}"
    manager = model._base_manager
    binary = model._meta.get_field(name).get_internal_type() == "BinaryField"
    if binary:
        batch_size = max(1, min(batch_size, BINARY_BATCH))
    total = manager.count()
    counts = {"rotated": 0, "rehashed": 0, "current": 0, "unreadable": 0}
    bad, done, last = [], 0, None
    columns = ["pk", name] + ([hash_field] if hash_field else [])
    if progress:
        progress(0, total, step=label)
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
                outcome, obj = rotate_value(model, name, hash_field, row, binary)
                counts[outcome] += 1
                if outcome == "unreadable":
                    bad.append(row[0])
                if obj is not None:
                    changed.append(obj)
            if changed:
                manager.bulk_update(changed, [name] + ([hash_field] if hash_field else []))
        last = rows[-1][0]
        done += len(rows)
        if report:
            report(f"{label}: {done}/{total}")
        if progress:
            progress(done, max(total, done), step=label)
    if total == 0 and report:
        report(f"{label}: 0/0")
    return counts, bad


def rotate_value(model, name, hash_field, row, binary):
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
    obj = model(pk=pk, **{name: new_value})
    if hash_field:
        setattr(obj, hash_field, new_hash)
    return outcome, obj


def unreadable_message(unreadable: list) -> str:
    """What to do about values no key decrypts (the command's error, the job's failure)."""
    shown = ", ".join(unreadable[:50]) + (" …" if len(unreadable) > 50 else "")
    return (
        f"{len(unreadable)} value(s) cannot be decrypted with any configured key and "
        f"were left as they are: {shown}. Add the key they were encrypted with to "
        "FIELD_ENCRYPTION_KEYS and run again; without it they are lost (re-enter them)."
    )
