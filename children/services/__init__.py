"""Service functions of the child registry: every change goes through here, is classified
again, written to the child's history and to the audit log."""

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import field_changes, log_action
from core.concurrency import is_current
from core.exceptions import Invalid, NotNow, Stale, refuse_invalid
from core.history import assign, change_entry, record_change

from .. import policy, rules
from ..choices import (
    RELATIONSHIP_SEX,
    CareLevel,
    CloseReason,
    ConsentGiver,
    ParentRole,
    ProcessingBasis,
    Status,
)
from ..models import Caregiver, Child, ChildChange, Concern, Parent, Transfer
from ..names import pinyin_of
from ..signals import categories_lost, handover_proposed

CHILD_FIELDS = [*Child.RECORDED_FIELDS, "grandparents", "risk"]
# Written only by the concern services (children/services/concerns.py), never by a form or import.
SUMMARY_FIELDS = ("risk",)
PARENT_FIELDS = list(Parent.RECORDED_FIELDS)
CAREGIVER_FIELDS = list(Caregiver.RECORDED_FIELDS)
# Classification results are part of the history, so a reader sees when the level changed.
RESULT_FIELDS = [
    "is_left_behind",
    "is_orphan",
    "is_fuc",
    "difficulty_poverty",
    "difficulty_disability",
    "difficulty_guardianship",
    "care_level",
    "status",
    "closed_reason",
    "closed_on",
]
KEEP = object()  # "leave the identity number as it is"


def today() -> dt.date:
    return timezone.localdate()


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "code") and hasattr(value, "level"):  # an Area
        return value.code
    return value


def snapshot(child: Child, parents: dict, caregiver: Caregiver | None) -> dict:
    """Every recorded fact of a child as a flat dict, for field-level history."""
    data = {name: _plain(getattr(child, name)) for name in CHILD_FIELDS + RESULT_FIELDS}
    data["id_number"] = child.id_masked
    for role in ParentRole.values:
        parent = parents.get(role)
        for name in PARENT_FIELDS:
            data[f"{role}.{name}"] = _plain(getattr(parent, name)) if parent else None
        # Family members' identity numbers are kept in the history masked, as the child's.
        data[f"{role}.id_number"] = parent.id_masked if parent else None
    for name in CAREGIVER_FIELDS:
        data[f"caregiver.{name}"] = _plain(getattr(caregiver, name)) if caregiver else None
    data["caregiver.id_number"] = caregiver.id_masked if caregiver else None
    # Empty and false facts are left out: a registration lists what was recorded.
    return _compact(data)


def _compact(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, "", [], {}, False)}


def snapshot_rows(children) -> dict[int, dict]:
    """snapshot() of many children at once, by id: the same rows, read as plain values in
    three queries (no model instances), so a county's roster takes seconds, not minutes."""
    names = [name for name in CHILD_FIELDS + RESULT_FIELDS if name != "area"]
    rows = {}
    for values in children.values("pk", "area__code", "id_masked", *names):
        data = {name: _plain(values[name]) for name in names}
        data["area"] = values["area__code"]
        data["id_number"] = values["id_masked"]
        for role in ParentRole.values:
            for name in [*PARENT_FIELDS, "id_number"]:
                data[f"{role}.{name}"] = None
        for name in [*CAREGIVER_FIELDS, "id_number"]:
            data[f"caregiver.{name}"] = None
        rows[values["pk"]] = data
    ids = children.values("pk")
    parent_rows = Parent.objects.filter(child__in=ids)
    for values in parent_rows.values("child_id", "role", "id_masked", *PARENT_FIELDS):
        data = rows.get(values["child_id"])
        if data is not None:
            for name in PARENT_FIELDS:
                data[f"{values['role']}.{name}"] = _plain(values[name])
            data[f"{values['role']}.id_number"] = values["id_masked"]
    caregiver_rows = Caregiver.objects.filter(child__in=ids)
    for values in caregiver_rows.values("child_id", "id_masked", *CAREGIVER_FIELDS):
        data = rows.get(values["child_id"])
        if data is not None:
            for name in CAREGIVER_FIELDS:
                data[f"caregiver.{name}"] = _plain(values[name])
            data["caregiver.id_number"] = values["id_masked"]
    return {pk: _compact(data) for pk, data in rows.items()}


def _family(child):
    parents = {p.role: p for p in child.parents.all()} if child.pk else {}
    caregiver = Caregiver.objects.filter(child=child).first() if child.pk else None
    return parents, caregiver


def classify_child(child: Child, parents: dict, caregiver, on: dt.date | None = None):
    """Classify with the policy module and store the result on the child (not saved)."""
    on = on or today()
    result = policy.classify(child.facts(parents, caregiver), on)
    child.apply_classification(result, on)
    return result


# The categories whose end stops a benefit (the snapshot's flags for them).
ENTITLING = {"orphan": "is_orphan", "fuc": "is_fuc"}


def _record(actor, child, kind, before, after, note=""):
    changes = record_change(ChildChange, actor, before, after, kind=kind, note=note, child=child)
    lost = {name for name, flag in ENTITLING.items() if before.get(flag) and not after.get(flag)}
    if lost:
        categories_lost.send(sender=Child, child=child, lost=lost, actor=actor)
    return changes


CHECKED_CHILD_FIELDS = ("birth_date", "sex", "health", "disability_category", "illness")


def family_id_errors(data: dict, before, sex: str | None) -> dict:
    """A parent's or caregiver's identity number about to be stored, checked as the forms
    and the import check it (rules.family_id_errors), against the birth date it is saved
    with. KEEP, None or no number: nothing to check."""
    number = data.get("id_number")
    if not number or number is KEEP:
        return {}
    birth_date = data.get("birth_date", getattr(before, "birth_date", None))
    _parsed, errors = rules.family_id_errors(number, birth_date, sex)
    return errors


def check_child(
    actor,
    child: Child,
    id_number: str | None,
    parents_data=None,
    parents_before=None,
    caregiver_data=None,
    caregiver_before=None,
) -> None:
    """Refuse what the forms, the API and the import refuse, with the same messages
    (children/rules.py): a malformed identity number or one contradicting the recorded sex
    or birth date, one already registered, a child aged 18 or over, health details missing,
    a disabled parent without the disability category and grade, a parent's or the
    caregiver's malformed identity number (or one of the wrong sex or birth date), the
    form's sign-off and confirmation incomplete or dated in the future. Raises Invalid
    with field errors (a parent's as "father.disability_grade", the caregiver's as
    "caregiver.id_number")."""
    values = {name: getattr(child, name) for name in CHECKED_CHILD_FIELDS}
    _parsed, errors = rules.child_errors(
        values, id_number, today=today(), actor=actor, exclude_pk=child.pk
    )
    for role, data in (parents_data or {}).items():
        if not data:
            continue
        before = (parents_before or {}).get(role)
        # A partial change is checked as the whole parent it makes.
        merged = {name: getattr(before, name) for name in PARENT_FIELDS} if before else {}
        merged.update(data)
        # Only what the classification needs is enforced here (a quick "parent left" change
        # may not know the work place yet; the forms and the import ask for it).
        for name, error in rules.parent_disability_errors(
            merged.get("status") or "",
            merged.get("disability_category") or "",
            merged.get("disability_grade"),
        ).items():
            errors[f"{role}.{name}"] = error
        sex = {ParentRole.FATHER: "M", ParentRole.MOTHER: "F"}.get(role)
        for name, error in family_id_errors(data, before, sex).items():
            errors[f"{role}.{name}"] = error
    if caregiver_data:
        relationship = caregiver_data.get(
            "relationship", getattr(caregiver_before, "relationship", "")
        )
        sex = RELATIONSHIP_SEX.get(relationship)
        for name, error in family_id_errors(caregiver_data, caregiver_before, sex).items():
            errors[f"caregiver.{name}"] = error
    errors.update(
        {
            name: error
            for name, error in rules.signoff_errors(
                {name: getattr(child, name) for name in SIGNOFF_FIELDS}, today()
            ).items()
            if name not in errors
        }
    )
    refuse_invalid(errors)


SIGNOFF_FIELDS = (
    "reported_on",
    "filled_by",
    "checked_by",
    "confirmed_by",
    "confirmed_relationship",
    "confirmed_on",
)


def _store_family_id(member, data: dict) -> None:
    """Store a family member's identity number from the data (KEEP or absent: unchanged)."""
    number = data.get("id_number", KEEP)
    if number is not KEEP:
        member.set_id_number(number or None)


def _save_family(child, parents_data: dict, caregiver_data, parents: dict, caregiver):
    """Write parents and caregiver from cleaned form data; returns the saved objects."""
    for role, data in parents_data.items():
        if data is None:
            continue
        parent = parents.get(role) or Parent(child=child, role=role)
        assign(parent, data, PARENT_FIELDS)
        _store_family_id(parent, data)
        parent.full_clean(exclude=["child"])
        parent.save()
        parents[role] = parent
    if caregiver_data is not None:
        if caregiver_data == {}:  # the caregiver was removed
            if caregiver is not None:
                caregiver.delete()
            caregiver = None
        else:
            caregiver = caregiver or Caregiver(child=child)
            assign(caregiver, caregiver_data, CAREGIVER_FIELDS)
            _store_family_id(caregiver, caregiver_data)
            caregiver.full_clean(exclude=["child"])
            caregiver.save()
    return parents, caregiver


@transaction.atomic
def register_child(
    actor,
    data: dict,
    *,
    id_number: str | None = None,
    parents=None,
    caregiver=None,
    kind=ChildChange.Kind.REGISTERED,
    basis: dict | None = None,
) -> Child:
    """Register a new child with the family (and the legal basis, when given: see
    record_basis); classify; keep the history; audit.

    Refuses (Invalid) what the registry's rules refuse: see check_child."""
    child = Child(
        **{k: v for k, v in data.items() if k in CHILD_FIELDS and k not in SUMMARY_FIELDS}
    )
    child.name_pinyin, child.name_initials = pinyin_of(child.name)
    check_child(actor, child, id_number, parents, caregiver_data=caregiver)
    child.set_id_number(id_number)
    child.full_clean(exclude=["siblings"])
    child.save()
    saved_parents, saved_caregiver = _save_family(child, parents or {}, caregiver, {}, None)
    classify_child(child, saved_parents, saved_caregiver)
    child.save()
    after = snapshot(child, saved_parents, saved_caregiver)
    _record(actor, child, kind, {}, after)
    log_action(actor, "children.child.created", child, {"fields": sorted(after)})
    if basis:
        record_basis(actor, child, basis)
    return child


def _sibling_names(child) -> list[str]:
    return sorted(f"{s.name} ({s.birth_date:%Y-%m-%d})" for s in child.siblings.all())


def _link_siblings(actor, child, chosen, keep_hidden_from=None):
    """Replace the child's sibling links; each sibling's own history records the change.

    Links to children the acting user cannot see are kept: a user can only change what
    they can see.
    """
    current = set(child.siblings.all())
    wanted = set(chosen)
    if keep_hidden_from is not None:
        visible = set(
            Child.objects.visible_to(keep_hidden_from).filter(pk__in=[c.pk for c in current])
        )
        wanted |= current - visible
    for sibling, kind in [(s, "added") for s in wanted - current] + [
        (s, "removed") for s in current - wanted
    ]:
        before = {"siblings": _sibling_names(sibling)}
        if kind == "added":
            child.siblings.add(sibling)
        else:
            child.siblings.remove(sibling)
        _record(
            actor, sibling, ChildChange.Kind.UPDATED, before, {"siblings": _sibling_names(sibling)}
        )


@transaction.atomic
def update_child(
    actor,
    child: Child,
    data: dict,
    *,
    id_number=KEEP,
    parents=None,
    caregiver=None,
    note="",
    siblings=None,
    based_on=None,
) -> dict:
    """Change a child's facts and family; reclassify; history and audit. Returns the diff.

    `siblings`, when given, replaces the links to registered brothers and sisters.
    `based_on`, when given, is the version the edit started from: the row is locked and a
    newer version refuses the save (core.exceptions.Stale), so two saves cannot both pass the check.
    """
    locked = Child.objects.select_for_update().get(pk=child.pk)
    if based_on is not None and not is_current(locked, based_on):
        raise Stale
    # The concern summary is the concern services' alone: keep the stored one, even when the
    # caller's copy of the child was read before a concern opened or closed.
    child.risk, child.needs_report, child.report_reason = (
        locked.risk,
        locked.needs_report,
        locked.report_reason,
    )
    # The legal basis is record_basis's alone, likewise.
    for name in (*rules.BASIS_FIELDS, "basis_recorded_by_id", "basis_recorded_at"):
        setattr(child, name, getattr(locked, name))
    parents_before, caregiver_before = _family(child)
    before = snapshot(child, parents_before, caregiver_before)
    if siblings is not None:
        before["siblings"] = _sibling_names(child)
    for name, value in data.items():
        # Moving village is a transfer; the concern summary is the concern services'.
        if name in CHILD_FIELDS and name != "area" and name not in SUMMARY_FIELDS:
            setattr(child, name, value)
    child.name_pinyin, child.name_initials = pinyin_of(child.name)
    # The number kept is checked too: a changed birth date or sex must still agree with it
    # (unless no configured key can read it: then it is kept as stored, unchecked).
    kept = child.id_number if id_number is KEEP else id_number
    check_child(
        actor,
        child,
        None if getattr(kept, "unreadable", False) else kept,
        parents,
        parents_before,
        caregiver,
        caregiver_before,
    )
    if id_number is not KEEP:
        child.set_id_number(id_number)
    child.full_clean(exclude=["siblings"])
    saved_parents, saved_caregiver = _save_family(
        child, parents or {}, caregiver, parents_before, caregiver_before
    )
    classify_child(child, saved_parents, saved_caregiver)
    child.save()
    after = snapshot(child, saved_parents, saved_caregiver)
    if siblings is not None:
        _link_siblings(actor, child, siblings, keep_hidden_from=actor)
        after["siblings"] = _sibling_names(child)
    changes = _record(
        actor,
        child,
        ChildChange.Kind.UPDATED,
        before,
        {k: v for k, v in after.items() if v is not None},
        note,
    )
    log_action(actor, "children.child.updated", child, {"changes": changes})
    return changes


@dataclass
class _Step:
    """A step on a child's record in progress: the family it was classified with, and the
    changes it made once it is recorded."""

    parents: dict
    caregiver: Caregiver | None
    changes: dict | None = None


@contextmanager
def _recorded_step(actor, child: Child, kind, note: str = ""):
    """Keep in the child's history what the block changes on the record (the block saves)."""
    parents, caregiver = _family(child)
    before = snapshot(child, parents, caregiver)
    step = _Step(parents, caregiver)
    yield step
    step.changes = _record(actor, child, kind, before, snapshot(child, parents, caregiver), note)


@transaction.atomic
def set_care_level(actor, child: Child, level: str, reason: str) -> None:
    """An officer sets the care level by hand, with a written reason ("" returns to computed).

    Refuses (Invalid) a level that is not one, and setting one without a reason."""
    reason = (reason or "").strip()
    if level and level not in CareLevel.values:
        raise Invalid({"level": rules.NOT_A_CHOICE})
    if level and not reason:
        raise Invalid({"reason": rules.CARE_LEVEL_REASON})
    with _recorded_step(actor, child, ChildChange.Kind.OVERRIDDEN, reason) as step:
        child.care_level_override = level
        child.override_reason = reason if level else ""
        child.override_by = (
            (getattr(actor, "name", "") or getattr(actor, "username", "")) if level else ""
        )
        classify_child(child, step.parents, step.caregiver)
        child.save()
    log_action(
        actor,
        "children.child.care_level_set",
        child,
        {"changes": step.changes, "reason": reason},
    )


@transaction.atomic
def close_child(actor, child: Child, reason: str, on: dt.date, note: str = "") -> None:
    """Close a child's record with a reason and date. Records are never deleted."""
    with _recorded_step(actor, child, ChildChange.Kind.CLOSED, note) as step:
        child.status, child.closed_reason, child.closed_on = Status.CLOSED, reason, on
        child.closed_note = note
        child.save()
    log_action(actor, "children.child.closed", child, {"changes": step.changes})


@transaction.atomic
def reopen_child(actor, child: Child, note: str = "") -> None:
    """Reopen a closed record (e.g. closed by mistake, or the child came back). A record
    merged into another stays closed: the kept record is the child's."""
    if child.merged_into_id:
        raise NotNow(_("This record was merged into another one: open that one."))
    with _recorded_step(actor, child, ChildChange.Kind.REOPENED, note) as step:
        child.status, child.closed_reason, child.closed_on, child.closed_note = (
            Status.ACTIVE,
            "",
            None,
            "",
        )
        classify_child(child, step.parents, step.caregiver)
        child.save()
    log_action(actor, "children.child.reopened", child, {"changes": step.changes})


@transaction.atomic
def transfer_child(actor, child: Child, to_area, reason: str = "") -> Transfer:
    """Move a child to another village. Within the county it is done at once; to another
    county it is a pending handover the receiving county accepts or declines
    (hand_over), and the child stays where it is until then."""
    if child.transfers.filter(state=Transfer.State.PENDING).exists():
        raise NotNow(_("A handover of this child to another county is waiting for an answer."))
    if policy.crosses_counties(child.area.code, to_area.code):
        return hand_over(actor, child, to_area, reason)
    transfer = Transfer.objects.create(
        child=child, from_area=child.area, to_area=to_area, actor=actor, reason=reason
    )
    move_child(actor, child, transfer)
    return transfer


@transaction.atomic
def hand_over(actor, child: Child, to_area, reason: str = "") -> Transfer:
    """Propose to hand a child over to a village of another county: a pending transfer, in
    both counties' audit logs; `signals.handover_proposed` lets the register's housekeeping
    (registry) tell the receiving county's officers, who accept or decline it. The child
    stays where it is until then."""
    if child.status != Status.ACTIVE:
        raise NotNow(_("Only an open record can be handed over."))
    if not policy.crosses_counties(child.area.code, to_area.code):
        raise Invalid({"to_area": _("This village is in the same county: transfer the child.")})
    transfer = Transfer.objects.create(
        child=child,
        from_area=child.area,
        to_area=to_area,
        actor=actor,
        reason=(reason or "").strip()[:300],
        state=Transfer.State.PENDING,
    )
    data = {"child": child.pk, "from": child.area.code, "to": to_area.code}
    log_action(actor, "registry.transfer.proposed", transfer, data, area_code=child.area.code)
    # The receiving county's log has it too: its officers decide on it.
    log_action(actor, "registry.transfer.incoming", transfer, data, area_code=to_area.code)
    handover_proposed.send(sender=Transfer, transfer=transfer, actor=actor)
    return transfer


@transaction.atomic
def move_child(actor, child: Child, transfer: Transfer) -> None:
    """Carry out a transfer: the child goes to its village, its open concerns follow it,
    its history keeps the move, and both sides' audit logs have it."""
    from_area, to_area = transfer.from_area, transfer.to_area
    with _recorded_step(actor, child, ChildChange.Kind.TRANSFERRED, transfer.reason) as step:
        child.area = to_area
        child.village_group = ""
        child.save()
        from .concerns import follow_transfer  # concerns builds on this module

        follow_transfer(actor, child, from_area)
    log_action(
        actor,
        "children.child.transferred",
        child,
        {"changes": step.changes, "from": from_area.code, "to": to_area.code},
    )
    # The handing-over township sees the entry too.
    log_action(
        actor,
        "children.child.transferred_out",
        child,
        {"to": to_area.code},
        area_code=from_area.code,
    )


@transaction.atomic
def move_id_number(actor, source: Child, target: Child, note: str) -> None:
    """Give `target`, which has none, the identity number of `source` (a second record of the
    same child, merged into `target`): the number is unique, so `source` lets it go first.
    Copied as stored (cipher, hash, mask): nothing is decrypted. Both histories keep it."""
    cipher, id_hash, masked = source.id_cipher, source.id_hash, source.id_masked
    with _recorded_step(actor, source, ChildChange.Kind.MERGED, note):
        source.set_id_number(None)
        source.save()
    with _recorded_step(actor, target, ChildChange.Kind.MERGED, note):
        target.id_cipher, target.id_hash, target.id_masked = cipher, id_hash, masked
        target.save()


def record_read(actor, child: Child, via: str = "page") -> None:
    """Audit that someone read a child's record."""
    # One record spent from the reader's hourly budget (core.throttling).
    log_action(actor, "children.child.read", child, {"via": via, "read": 1})


RESULT_STATE = (
    "is_left_behind",
    "left_behind_kind",
    "is_orphan",
    "is_fuc",
    "difficulty_poverty",
    "difficulty_disability",
    "difficulty_guardianship",
    "computed_care_level",
    "care_level",
)


def review_ages(on: dt.date | None = None) -> dict:
    """Daily: classify every active child again as of today, because age and time change the
    result without any edit — the 16th and 18th birthdays, and a parent's imprisonment or
    lost contact reaching six months (de facto unsupported). Only children whose result
    changed are saved, with a history entry and an audit entry. Idempotent.

    A left-behind child who turns 16 leaves the left-behind register; if a difficulty
    category still applies the record stays open with it, otherwise it is closed
    ("turned 16"). At 18 every record closes ("turned 18").
    """
    on = on or today()
    report = {"reclassified": 0, "closed_16": 0, "closed_18": 0}
    turned_18 = Child.objects.active().filter(birth_date__lte=policy.birthday_cutoff(on, 18))
    for child in turned_18.select_related("area"):
        close_child(None, child, CloseReason.TURNED_18, on)
        report["closed_18"] += 1
    children = (
        Child.objects.active()
        .select_related("area", "caregiver")
        .prefetch_related("parents", Prefetch("concerns", queryset=Concern.objects.open()))
    )
    for child in children.iterator(chunk_size=2000):
        parents = {p.role: p for p in child.parents.all()}
        caregiver = getattr(child, "caregiver", None)
        state = [getattr(child, name) for name in RESULT_STATE]
        before = snapshot(child, parents, caregiver)
        classify_child(child, parents, caregiver, on)
        if [getattr(child, name) for name in RESULT_STATE] == state:
            continue
        with transaction.atomic():
            child.save()
            changes = _record(
                None,
                child,
                ChildChange.Kind.RECLASSIFIED,
                before,
                snapshot(child, parents, caregiver),
            )
            log_action(None, "children.child.reclassified", child, {"changes": changes})
        report["reclassified"] += 1
        aged_out = (
            before.get("is_left_behind")
            and not child.is_left_behind
            and (child.birth_date <= policy.birthday_cutoff(on, policy.LEFT_BEHIND_AGE_LIMIT))
        )
        if aged_out and not child.in_difficulty:
            close_child(None, child, CloseReason.TURNED_16, on)
            report["closed_16"] += 1
    return report


# -- legal basis for processing (PIPL art. 13, 31) ------------------------------------------


def _basis_of(child: Child) -> dict:
    return _compact({name: _plain(getattr(child, name)) for name in rules.BASIS_FIELDS})


def _cleaned_basis(data: dict, child_name: str) -> dict:
    """The basis's fields as stored: what does not belong to the chosen basis is dropped."""
    values = {name: data.get(name) for name in rules.BASIS_FIELDS}
    for name in ("basis_law", "consent_by", "basis_note"):
        values[name] = (values[name] or "").strip()
    basis = values["processing_basis"]
    if basis == ProcessingBasis.CHILD_CONSENT:
        values["consent_by"] = values["consent_by"] or child_name
        values["consent_relationship"] = ConsentGiver.CHILD
    elif basis != ProcessingBasis.GUARDIAN_CONSENT:
        values["consent_by"], values["consent_relationship"] = "", ""
    values["consent_relationship"] = values["consent_relationship"] or ""
    return values


@transaction.atomic
def record_basis(actor, child: Child, data: dict) -> dict:
    """Record the legal basis for processing a child's data — a guardian's consent, the
    child's own (from 14), a statutory duty with its law, or an emergency — with its date,
    who recorded it and when; history and audit. Replaces an earlier one (kept in the
    history). Refuses (Invalid) what rules.basis_errors refuses. Returns the diff."""
    errors = rules.basis_errors(data, child.birth_date, today())
    refuse_invalid(errors)
    locked = Child.objects.select_for_update().get(pk=child.pk)
    before = _basis_of(locked)
    for name, value in _cleaned_basis(data, locked.name).items():
        setattr(child, name, value)
    child.basis_recorded_by = actor
    child.basis_recorded_at = timezone.now()
    fields = [*rules.BASIS_FIELDS, "basis_recorded_by", "basis_recorded_at", "updated_at"]
    child.save(update_fields=fields)
    changes = _record(actor, child, ChildChange.Kind.BASIS, before, _basis_of(child))
    log_action(
        actor,
        "children.child.basis_recorded",
        child,
        {"changes": changes, "basis": child.processing_basis},
    )
    return changes


@transaction.atomic
def record_basis_in_bulk(actor, children, data: dict) -> int:
    """Record one basis for many children at once — a county's decision that its register
    is kept under a statutory duty — as record_basis would for each: a history entry per
    child and one audit entry listing them. Children that already have a basis keep it.
    Refuses a consent (each consent is a person's, recorded child by child). Returns how
    many were recorded."""
    if data.get("processing_basis") in (
        ProcessingBasis.GUARDIAN_CONSENT,
        ProcessingBasis.CHILD_CONSENT,
    ):
        raise Invalid(
            {"processing_basis": _("A consent is recorded child by child.")}, code="consent"
        )
    errors = rules.basis_errors(data, dt.date.min, today())
    refuse_invalid(errors)
    values = _cleaned_basis(data, "")
    pending = children.filter(processing_basis="")
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        return 0
    now = timezone.now()
    # One diff for all (each child had none): a county's register is tens of thousands.
    changes = field_changes({}, _compact({name: _plain(v) for name, v in values.items()}))
    history = [
        change_entry(ChildChange, actor, changes, kind=ChildChange.Kind.BASIS, child_id=pk)
        for pk in ids
    ]
    for start in range(0, len(ids), 900):  # SQLite's limit on an IN list's parameters
        Child.objects.filter(pk__in=ids[start : start + 900]).update(
            **values, basis_recorded_by=actor, basis_recorded_at=now, updated_at=now
        )
    ChildChange.objects.bulk_create(history, batch_size=1000)
    log_action(
        actor,
        "children.child.basis_recorded",
        None,
        {"basis": values["processing_basis"], "count": len(ids), "ids": ids},
    )
    return len(ids)
