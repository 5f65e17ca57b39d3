"""Changes in a child's situation found between rounds: a parent leaves or comes home, the
caregiver can no longer care, the child drops out of school, an urgent finding. Each changes
the record through the registry (which classifies the child again, with the change as the
reason; the visit schedule follows the care level), and tells the village's director and the
township's supervisor at once."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from children import services as registry
from children.choices import CaregiverHealth, ParentRole, ParentStatus, Schooling
from children.choices import Status as ChildStatus
from children.models import Child, Concern
from children.services.concerns import open_concern
from core.audit import log_action
from core.exceptions import Invalid, Refused, refuse_invalid
from core.values import typed
from notifications.services import tell_of_change

from .models import ChangeEvent, ChangeKind

WEAK_HEALTH = {CaregiverHealth.ILL, CaregiverHealth.DISABLED, CaregiverHealth.FRAIL}


def _clean(child: Child, kind: str, data: dict) -> dict:
    errors = {}
    if kind not in ChangeKind.values:
        errors["kind"] = _("Choose what changed.")
    role = data.get("parent") or ""
    if (
        kind in (ChangeKind.PARENT_LEFT, ChangeKind.PARENT_RETURNED)
        and role not in ParentRole.values
    ):
        errors["parent"] = _("Say which parent.")
    if kind == ChangeKind.CAREGIVER_CAPACITY:
        if not hasattr(child, "caregiver"):
            errors["kind"] = _("The record names no caregiver: edit the record instead.")
        elif data.get("health") not in WEAK_HEALTH:
            errors["health"] = _("Say what happened to the caregiver.")
    detail = typed(data, "detail")
    if kind == ChangeKind.URGENT_FINDING and len(detail) < 5:
        errors["detail"] = _("Describe the finding.")
    on = data.get("on") or timezone.localdate()
    if on > timezone.localdate():
        errors["on"] = _("The date cannot be in the future.")
    refuse_invalid(errors)
    return {"parent": role, "health": data.get("health"), "detail": detail, "on": on}


@transaction.atomic
def record_change(actor, child: Child, kind: str, data: dict) -> ChangeEvent:
    """Record a change and act on it at once (see the module's docstring)."""
    if not Child.objects.editable_by(actor).filter(pk=child.pk).exists():
        raise Refused
    if child.status != ChildStatus.ACTIVE:
        raise Invalid(_("This record is closed."))
    values = _clean(child, kind, data)
    label = ChangeKind(kind).label
    reason = f"{label}: {values['detail']}" if values["detail"] else str(label)
    before = child.care_level
    concern = None
    if kind == ChangeKind.URGENT_FINDING:
        concern = open_concern(
            actor,
            child,
            reason,
            source=Concern.Source.CHANGE,
            urgency=Concern.Urgency.URGENT,
            safety=True,
            report=reason,
            on=values["on"],
        )
    else:
        parents, caregiver = None, None
        fields = {}
        if kind == ChangeKind.PARENT_LEFT:
            parents = {values["parent"]: {"status": ParentStatus.MIGRANT}}
        elif kind == ChangeKind.PARENT_RETURNED:
            parents = {values["parent"]: {"status": ParentStatus.AT_HOME, "work_province": ""}}
        elif kind == ChangeKind.CAREGIVER_CAPACITY:
            caregiver = {"health": values["health"]}
        elif kind == ChangeKind.DROPPED_OUT:
            fields = {"schooling": Schooling.DROPPED_OUT}
        registry.update_child(
            actor, child, fields, parents=parents, caregiver=caregiver, note=reason
        )
    child.refresh_from_db()
    event = ChangeEvent.objects.create(
        child=child,
        kind=kind,
        on=values["on"],
        detail=values["detail"],
        level_before=before,
        level_after=child.care_level,
        recorded_by=actor,
    )
    if concern is not None:  # the concern points at the change it came from
        Concern.objects.filter(pk=concern.pk).update(source_ref=event.pk)
    text = _("%(name)s (%(village)s): %(change)s; care level %(before)s → %(after)s") % {
        "name": child.name,
        "village": child.area.name,
        "change": label,
        "before": child.__class__(care_level=before).get_care_level_display(),
        "after": child.get_care_level_display(),
    }
    tell_of_change(actor, child, text, reverse("children:detail", args=[child.pk]))
    log_action(
        actor,
        "concerns.change.recorded",
        event,
        {"child": child.pk, "kind": kind, "before": before, "after": child.care_level},
        area_code=child.area.code,
    )
    return event
