"""The re-encryption of identity numbers (and of every other encrypted value) as background
work, started by the superuser from the operations page: core.keys.rotate_all with the job's
progress per column and batch. Values no configured key decrypts make the job fail with the
list (a retry, once the missing key is added, finishes it; the rest is already done)."""

from django.utils.translation import gettext_lazy as _

from core.keys import rotate_all, unreadable_message

from . import services


class UnreadableValues(Exception):
    """Some values could not be decrypted with any configured key."""


@services.work(
    title=_("Re-encryption of identity numbers under the newest key"),
    max_attempts=3,
    counts={
        "rotated": _("values re-encrypted"),
        "rehashed": _("lookup hashes renewed"),
        "current": _("values already current"),
        "unreadable": _("values no key decrypts"),
    },
)
def reencrypt(progress) -> dict:
    """Every encrypted column, batch by batch (safe to run again: current values are skipped)."""
    rotation = rotate_all(actor=progress.job.created_by, progress=progress)
    if rotation.unreadable:
        raise UnreadableValues(unreadable_message(rotation.unreadable))
    return rotation.totals
