"""Receiving a record from a phone's outbox: applied once per id, through the same path as
the online API (care.api.create_visit, care.api.create_activity, rounds.api.check_from_data),
so an offline record meets exactly the rules an online one does."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from care.api import create_activity, create_visit
from care.models import Activity, Photo, Visit
from care.services import activity_outcome, attach_photo, visit_outcome
from children.models import Child
from core.audit import log_action
from core.exceptions import Invalid, NotNow, Refused
from core.scoping import can_write, get_visible_or_404
from rounds.api import check_from_data
from rounds.models import VillageReturn

from . import policy
from .models import Submission

Kind = Submission.Kind


def _record_id(value) -> int | None:
    """A record's id as sent (a number, or its digits), None if it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _not_on_roster():
    return NotNow(
        _(
            "This child is no longer on your roster (moved to another village, or not in your "
            "area): the record was not saved."
        ),
        field="child",
    )


def _child_in_reach(actor, data) -> None:
    """A record made offline named a child of the phone's roster: one the actor no longer sees
    (moved away meanwhile) is a conflict to show, whatever the id (no existence is revealed)."""
    if "child" not in data or _record_id(data["child"]) is None:
        return  # missing or malformed: the path's own field error says so
    if not Child.objects.visible_to(actor).filter(pk=_record_id(data["child"])).exists():
        raise _not_on_roster()


def _visit(actor, data, made_at):
    _child_in_reach(actor, data)
    visit = create_visit(actor, data, made_at=made_at)
    return visit, reverse("care:visit_detail", args=[visit.pk])


def _activity(actor, data, made_at):
    activity = create_activity(actor, data, made_at=made_at)
    return activity, reverse("care:activities")


def _check(actor, data, made_at):
    """A round check: `data` is the online check's body with the return's id (`return`)."""
    ret_id = _record_id(data.get("return"))
    if ret_id is None:
        raise Invalid({"return": _("Name the village return (its id).")})
    ret = get_visible_or_404(
        VillageReturn.objects.select_related("round", "area"), actor, pk=ret_id
    )
    _child_in_reach(actor, data)
    check = check_from_data(actor, ret, data, made_at=made_at)
    url = reverse("rounds:return", args=[ret.pk])
    return check, f"{url}#child-{check.child_id}"


RUN = {Kind.VISIT: _visit, Kind.ACTIVITY: _activity, Kind.CHECK: _check}


def _repeat(stored: Submission, actor, digest: str) -> dict:
    """The first answer, to a repeat of the same record by the same person."""
    if stored.actor_id != actor.pk or stored.digest != digest:
        raise NotNow(_("This record id was already used for another record."))
    return stored.answer


def _stored(client_id, *, lock=False) -> Submission | None:
    """The submission stored under the phone's id (locked for the rest of the transaction)."""
    rows = Submission.objects.filter(client_id=client_id)
    return (rows.select_for_update() if lock else rows).first()


def receive(actor, *, client_id, kind, made_at, data) -> tuple[dict, bool]:
    """Apply a record sent from a phone's outbox once: (the answer, whether it was applied
    now). A repeat of a stored one (same id, person and content) gets the first answer and
    changes nothing; the same id with other content is refused (NotNow). A refused record is
    not stored, so it may be fixed and sent again with its id."""
    digest = policy.digest(kind, made_at, data)
    try:
        with transaction.atomic():
            stored = _stored(client_id, lock=True)
            if stored is not None:
                return _repeat(stored, actor, digest), False
            if kind not in RUN:
                raise Invalid({"kind": _("Send a visit, an activity or a check.")})
            problem = policy.made_at_problem(made_at, timezone.now())
            if problem:
                raise Invalid({"made_at": problem})
            record, url = RUN[kind](actor, data, made_at)
            answer = {"id": str(client_id), "kind": kind, "object_id": record.pk, "url": url}
            submission = Submission.objects.create(
                client_id=client_id,
                kind=kind,
                actor=actor,
                made_at=made_at,
                digest=digest,
                object_id=record.pk,
                answer=answer,
            )
            log_action(
                actor,
                "outbox.submission.received",
                submission,
                {"kind": kind, "object_id": record.pk, "made_at": made_at.isoformat()},
            )
            return answer, True
    except IntegrityError:
        # Another send of the same id committed between the lookup and the insert: everything
        # this one did is rolled back, and the stored one answers.
        stored = _stored(client_id)
        if stored is None:
            raise
        return _repeat(stored, actor, digest), False


def outcome(kind, object_id) -> list[tuple[int, str]]:
    """What the sender is told of a record applied now, as the online page tells it (message
    level, text): a visit's care-level warnings, an activity's "recorded"; a check, nothing."""
    if kind == Kind.VISIT:
        return visit_outcome(Visit.objects.select_related("child").get(pk=object_id))
    if kind == Kind.ACTIVITY:
        return activity_outcome()
    return []


PHOTO_OF = {Kind.VISIT: Visit, Kind.ACTIVITY: Activity}


def _photo_answer(photo: Photo, record_id) -> dict:
    return {
        "id": str(photo.client_id),
        "record": str(record_id),
        "photo": photo.pk,
        "url": reverse("care:photo", args=[photo.pk]),
    }


def receive_photo(actor, *, client_id, record_id, made_at, upload) -> tuple[dict, bool]:
    """Keep a photo sent from a phone's outbox once: (the answer, whether it was kept now).
    It belongs to a visit or an activity the same phone sent before (`record_id`, the id it
    made for the record): the record goes first, then each of its photos, each with its own
    id, so a photo sent again after a lost answer is kept once."""
    if not can_write(actor):
        raise Refused(_("Your role may not add photos."))
    try:
        with transaction.atomic():
            stored = Photo.objects.filter(client_id=client_id).first()
            if stored is not None:
                if stored.taken_by_id != actor.pk:
                    raise NotNow(_("This photo id was already used for another photo."))
                return _photo_answer(stored, record_id), False
            problem = policy.made_at_problem(made_at, timezone.now())
            if problem:
                raise Invalid({"made_at": problem})
            submission = Submission.objects.filter(client_id=record_id, actor=actor).first()
            if submission is None or submission.kind not in PHOTO_OF:
                raise NotNow(
                    _("The visit or activity of this photo has not arrived: send it first."),
                    field="record",
                )
            records = PHOTO_OF[submission.kind].objects.visible_to(actor)
            record = records.filter(pk=submission.object_id).first()
            if record is None:  # the child moved away meanwhile: a conflict to show
                raise NotNow(_("This record is no longer in your area: the photo was not kept."))
            photo = attach_photo(actor, record, upload, client_id=client_id, made_at=made_at)
            return _photo_answer(photo, record_id), True
    except IntegrityError:
        # The same photo kept by another request meanwhile: that one answers.
        stored = Photo.objects.filter(client_id=client_id, taken_by=actor).first()
        if stored is None:
            raise
        return _photo_answer(stored, record_id), False
