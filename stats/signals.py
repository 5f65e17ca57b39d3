"""Keep the village figures current: every save that changes what a village counts marks
the village, and after the transaction commits its figures are recounted once.

After commit, not inside the transaction: a registration saves the child several times,
and the recount should see the finished record. A change whose recount is lost (a crash
between the commit and the recount) is caught by the daily `refresh_stats`.
"""

import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from areas.models import Area, ServicePoint
from care.models import Activity, Visit
from children.models import Child, Concern, Transfer
from children.signals import children_saved_in_bulk
from relief.models import AssistanceContact, ReliefMeasure
from rounds.models import Round, VillageReturn

from .services import refresh_villages

_pending = threading.local()


def mark(area_ids) -> None:
    """Recount these villages after the current transaction commits (at once outside one)."""
    ids = {pk for pk in area_ids if pk}
    if not ids:
        return
    pending = getattr(_pending, "ids", None)
    if pending is None:
        pending = _pending.ids = set()
    pending |= ids
    transaction.on_commit(_flush)


def _flush() -> None:
    ids, _pending.ids = getattr(_pending, "ids", None), set()
    if ids:
        refresh_villages(ids)


@receiver(post_save, sender=Child)
def _child_saved(sender, instance, **kwargs):
    mark([instance.area_id])


@receiver(post_save, sender=Concern)
def _concern_saved(sender, instance, **kwargs):
    mark(Child.objects.filter(pk=instance.child_id).values_list("area_id", flat=True))


@receiver(post_save, sender=Transfer)
def _transferred(sender, instance, **kwargs):
    mark([instance.from_area_id, instance.to_area_id])


@receiver([post_save, post_delete], sender=Visit)
def _visit_saved(sender, instance, **kwargs):
    mark([instance.area_id])


@receiver([post_save, post_delete], sender=Activity)
def _activity_saved(sender, instance, **kwargs):
    mark([instance.home.area_id])


@receiver([post_save, post_delete], sender=ServicePoint)
def _home_saved(sender, instance, **kwargs):
    mark([instance.area_id])


@receiver([post_save, post_delete], sender=ReliefMeasure)
@receiver([post_save, post_delete], sender=AssistanceContact)
def _relief_saved(sender, instance, **kwargs):
    mark([instance.child.area_id])


@receiver(post_save, sender=VillageReturn)
def _return_saved(sender, instance, **kwargs):
    mark([instance.area_id])


@receiver(post_save, sender=Round)
def _round_saved(sender, instance, created, **kwargs):
    # Opening creates the returns in bulk and closing ends them all: every village's
    # return columns change.
    mark(VillageReturn.objects.filter(round=instance).values_list("area_id", flat=True))
    if created:
        mark(Area.objects.within(instance.county.prefix).villages().values_list("pk", flat=True))


@receiver(children_saved_in_bulk)
def _children_imported(sender, area_ids, **kwargs):
    mark(area_ids)
