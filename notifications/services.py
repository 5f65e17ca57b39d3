"""Changes to a user's notifications: marking them read, choosing e-mails. Each is audited
under the names it had in care, so the audit log reads as before."""

from django.db import transaction

from core.audit import log_action

from . import notify
from .models import Notification


@transaction.atomic
def mark_read(user, pk: int | None = None) -> list[int]:
    """Mark the user's unread notifications read (only `pk` when given); the ids marked."""
    chosen = Notification.objects.for_user(user).filter(read=False)
    if pk is not None:
        chosen = chosen.filter(pk=pk)
    ids = list(chosen.values_list("pk", flat=True))
    chosen.update(read=True)
    log_action(user, "care.notification.read", None, {"ids": ids})
    return ids


@transaction.atomic
def save_preferences(user, choices: dict):
    """Keep the user's choice of e-mails (at once, daily digest)."""
    preference = notify.preference(user)
    for name, value in choices.items():
        setattr(preference, name, value)
    preference.save()
    log_action(user, "care.notification.preferences", None, choices)
    return preference


def tell_of_change(actor, child, text: str, link: str, day=None) -> int:
    """A change to a child that its village's directors and township's supervisors hear of
    at once; the one who made it is not told. Returns how many were told."""
    told = [u for u in notify.responsible_for(child.area) if u.pk != getattr(actor, "pk", None)]
    return notify.notify(told, Notification.Kind.CHANGE, text, link, child=child, day=day)
