"""The register's housekeeping: marking two records as two children, merging two records of
one child, and handing a child over to another county. Atomic and audited."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from children.choices import CloseReason, Status
from children.models import Child, ChildChange, Transfer, pointing_at_child
from core.audit import log_action
from core.exceptions import Invalid, NotNow, Refused
from people.models import User
from people.roles import Role

from . import policy
from .duplicates import are_likely_duplicates
from .models import DistinctPair

# What stays with the merged record: its own history and facts (the record stays readable,
# closed), and the register's own notes about it. Everything else pointing at a child moves.
KEPT_WITH_MERGED = {
    ("children", "childchange", "child"),
    ("children", "transfer", "child"),
    ("children", "parent", "child"),
    ("children", "caregiver", "child"),
    ("children", "child", "merged_into"),
    ("registry", "distinctpair", "first"),
    ("registry", "distinctpair", "second"),
    # Derived from the visits; computed again for both records once the visits moved.
    ("care", "visitsummary", "child"),
}


def _require_keeper(actor, *children):
    if not policy.keeps_register(actor):
        raise Refused
    prefix = actor.jurisdiction_prefix
    for child in children:
        if not child.area.code.startswith(prefix):
            raise Refused


@transaction.atomic
def mark_distinct(actor, first: Child, second: Child, note: str = "") -> DistinctPair:
    """The county officer found two alike records are two children: the pair stops showing
    as a likely duplicate."""
    _require_keeper(actor, first, second)
    if first.pk == second.pk:
        raise Invalid({"__all__": _("A record cannot be a duplicate of itself.")})
    a, b = policy.ordered(first.pk, second.pk)
    pair, _created = DistinctPair.objects.get_or_create(
        first_id=a, second_id=b, defaults={"by": actor, "note": (note or "").strip()[:300]}
    )
    log_action(
        actor,
        "registry.distinctpair.created",
        pair,
        {"first": a, "second": b, "note": pair.note},
        area_code=first.area.code,
    )
    return pair


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _move_rows(model, field_name: str, merged: Child, kept: Child) -> tuple[int, list[int]]:
    """Point `model`'s rows of the merged record at the kept one. A row the kept record
    already has its own of (a unique constraint: the same round's check, the same day's
    notification) stays with the merged record as its history. Returns (moved, stayed pks)."""
    rows = model._base_manager.filter(**{field_name: merged})
    try:
        with transaction.atomic():
            return rows.update(**{field_name: kept}), []
    except IntegrityError:
        pass
    moved, stayed = 0, []
    for pk in rows.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                moved += model._base_manager.filter(pk=pk).update(**{field_name: kept})
        except IntegrityError:
            stayed.append(pk)
    return moved, stayed


def _move_memberships(relation, merged: Child, kept: Child) -> int:
    """A many-to-many list the merged record is on (an activity's children): the kept record
    takes its place; where it is on the list already, the merged record's line goes."""
    through = relation.through
    child_field = next(
        f.name for f in through._meta.fields if f.is_relation and f.related_model is Child
    )
    other_field = next(
        f.name
        for f in through._meta.fields
        if f.is_relation and f.related_model is not Child and f.name != "id"
    )
    rows = through.objects.filter(**{child_field: merged})
    already = set(through.objects.filter(**{child_field: kept}).values_list(other_field, flat=True))
    rows.filter(**{f"{other_field}__in": already}).delete()
    return rows.update(**{child_field: kept})


def what_points_at(child: Child) -> dict[str, int]:
    """Every kind of record pointing at a child and how many (empty kinds left out): what a
    merge moves, and what the test checks is left."""
    found = {}
    for relation in pointing_at_child():
        model = relation.related_model
        if model._meta.auto_created or (relation.many_to_many and model is Child):
            continue  # a many-to-many table (counted by its relation), or the siblings
        if relation.many_to_many:
            count = relation.through.objects.filter(
                **{_through_child_field(relation): child}
            ).count()
        else:
            count = model._base_manager.filter(**{relation.field.name: child}).count()
        if count:
            found[f"{_label(model)}.{relation.field.name}"] = count
    siblings = child.siblings.count()
    if siblings:
        found["children.child.siblings"] = siblings
    return found


def _through_child_field(relation) -> str:
    return next(
        f.name for f in relation.through._meta.fields if f.is_relation and f.related_model is Child
    )


@transaction.atomic
def merge(actor, kept: Child, merged: Child) -> dict:
    """Merge a second record of a child into the record kept. The kept record takes the
    other's visits, activities, relief measures, assistance contacts, concerns, reports of
    concern, changes in situation, pairings, services, round checks and snapshots (where the
    kept record has none of its own for that round) and siblings, and its identity number if
    it has none; the merged record is closed ("merged into #N"), stays readable with its
    own history and family, and points at the kept one. One audit entry lists what moved.

    Refused unless the actor keeps the county's register and both are in it; Invalid for a
    record with itself, or one merged already; NotNow while a handover waits."""
    _require_keeper(actor, kept, merged)
    if kept.pk == merged.pk:
        raise Invalid({"keep": _("A record cannot be merged into itself.")})
    kept = Child.objects.select_for_update().select_related("area").get(pk=kept.pk)
    merged = Child.objects.select_for_update().select_related("area").get(pk=merged.pk)
    if kept.merged_into_id or merged.merged_into_id:
        raise Invalid({"keep": _("One of the records was merged already.")})
    if kept.status != Status.ACTIVE and merged.status == Status.ACTIVE:
        # The open record is the child's present one: keeping the closed one would close
        # the child's only open record.
        raise Invalid({"keep": _("Keep the open record (or reopen the closed one first).")})
    if Transfer.objects.filter(child__in=[kept, merged], state=Transfer.State.PENDING).exists():
        raise NotNow(_("A handover of one of the records to another county waits for an answer."))

    moved, stayed = {}, {}
    for relation in pointing_at_child():
        model = relation.related_model
        if model._meta.auto_created or (relation.many_to_many and model is Child):
            continue  # a many-to-many table (moved through its relation), or the siblings
        if relation.many_to_many:
            count = _move_memberships(relation, merged, kept)
            key = f"{_label(model)}.{relation.field.name}"
        else:
            key = f"{_label(model)}.{relation.field.name}"
            if (model._meta.app_label, model._meta.model_name, relation.field.name) in (
                KEPT_WITH_MERGED
            ):
                continue
            count, left = _move_rows(model, relation.field.name, merged, kept)
            if left:
                stayed[key] = left
        if count:
            moved[key] = count
    siblings = [s for s in merged.siblings.all() if s.pk != kept.pk]
    if siblings:
        kept.siblings.add(*siblings)
        moved["children.child.siblings"] = len(siblings)
    merged.siblings.clear()

    from care.models import refresh_summaries  # the visits moved: their summaries follow

    refresh_summaries([kept.pk, merged.pk])

    from children.services import close_child, move_id_number
    from children.services.concerns import summarise_again

    note = _("merged into #%(kept)s") % {"kept": kept.pk}
    took_number = bool(merged.id_hash and not kept.id_hash)
    if took_number:
        move_id_number(actor, merged, kept, note)
        kept.refresh_from_db()
        merged.refresh_from_db()
    merged.merged_into = kept
    close_child(actor, merged, CloseReason.MERGED, timezone.localdate(), note)
    if merged.risk or merged.needs_report:  # its concerns moved: its summary empties
        summarise_again(actor, merged, note, ChildChange.Kind.MERGED)
    summarise_again(
        actor,
        kept,
        _("record #%(merged)s merged into this one") % {"merged": merged.pk},
        ChildChange.Kind.MERGED,
    )
    details = {
        "kept": kept.pk,
        "merged": merged.pk,
        "rules": are_likely_duplicates(kept, merged),
        "moved": moved,
        "stayed": stayed,
        "id_number_moved": took_number,
    }
    log_action(actor, "registry.child.merged", kept, details)
    return details


# -- handovers to another county -----------------------------------------------------------


def county_officers(area) -> list:
    """The active county officers of the county an area is in: who accept its handovers."""
    county = policy.county_of(area.code)
    return list(
        User.objects.filter(
            is_active=True, role=Role.COUNTY_OFFICER, area__code=county.ljust(12, "0")
        )
    )


def _tell(users, text: str, transfer: Transfer) -> int:
    from notifications.models import Notification
    from notifications.notify import notify

    # No child on the notification: the receiving county may not open the record yet.
    link = reverse("registry:handover", args=[transfer.pk])
    return notify(users, Notification.Kind.CHANGE, text, link)


def tell_receiving_county(sender, transfer: Transfer, actor=None, **kwargs) -> int:
    """A child is proposed for a handover to this county (children.signals.handover_proposed,
    connected in RegistryConfig.ready): its county officers are told, and decide."""
    return _tell(
        county_officers(transfer.to_area),
        _("A child is being handed over to %(village)s: accept or decline it.")
        % {"village": transfer.to_area.name},
        transfer,
    )


def may_decide(user, transfer: Transfer) -> bool:
    """The receiving county's officer decides on a pending handover."""
    return (
        transfer.state == Transfer.State.PENDING
        and policy.keeps_register(user)
        and transfer.to_area.code.startswith(user.jurisdiction_prefix)
    )


def _pending(actor, transfer: Transfer) -> Transfer:
    transfer = (
        Transfer.objects.select_for_update()
        .select_related("child", "child__area", "from_area", "to_area")
        .get(pk=transfer.pk)
    )
    if transfer.state != Transfer.State.PENDING:
        raise NotNow(_("This handover was decided already."))
    if not may_decide(actor, transfer):
        raise Refused
    return transfer


@transaction.atomic
def accept_handover(actor, transfer: Transfer) -> Transfer:
    """The receiving county accepts: the child moves to the village with its history, its
    visits, measures and concerns; the sending county keeps the handover's line only."""
    transfer = _pending(actor, transfer)
    child = transfer.child
    if child.area_id != transfer.from_area_id or child.status != Status.ACTIVE:
        raise NotNow(_("The record changed since the handover was proposed."))
    transfer.state = Transfer.State.ACCEPTED
    transfer.decided_at, transfer.decided_by = timezone.now(), actor
    transfer.save()
    from children.services import move_child

    move_child(actor, child, transfer)
    log_action(
        actor,
        "registry.transfer.accepted",
        transfer,
        {"child": child.pk, "from": transfer.from_area.code, "to": transfer.to_area.code},
        area_code=transfer.to_area.code,
    )
    log_action(
        actor,
        "registry.transfer.accepted",
        transfer,
        {"child": child.pk, "to": transfer.to_area.code},
        area_code=transfer.from_area.code,
    )
    if transfer.actor_id:
        _tell(
            [transfer.actor],
            _("The handover of a child to %(village)s was accepted.")
            % {"village": transfer.to_area.name},
            transfer,
        )
    return transfer


@transaction.atomic
def decline_handover(actor, transfer: Transfer, reason: str) -> Transfer:
    """The receiving county declines, with a reason: the child stays where it was."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": _("Say why the handover is declined.")})
    transfer = _pending(actor, transfer)
    transfer.state = Transfer.State.DECLINED
    transfer.decided_at, transfer.decided_by = timezone.now(), actor
    transfer.decline_reason = reason[:300]
    transfer.save()
    for code in (transfer.to_area.code, transfer.from_area.code):
        log_action(
            actor,
            "registry.transfer.declined",
            transfer,
            {"child": transfer.child_id, "reason": transfer.decline_reason},
            area_code=code,
        )
    if transfer.actor_id:
        _tell(
            [transfer.actor],
            _("The handover of a child to %(village)s was declined: %(reason)s")
            % {"village": transfer.to_area.name, "reason": transfer.decline_reason},
            transfer,
        )
    return transfer
