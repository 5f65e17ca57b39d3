"""Service functions of care work: recording and correcting visits, recording activities."""

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import Concern
from children.services.concerns import open_concern
from core.audit import log_action
from core.concurrency import lock_current
from core.exceptions import Invalid, Refused
from core.history import assign, record_change
from core.images import normalised_photo
from core.scoping import can_write
from notifications.services import tell_of_change

from . import policy
from .models import (
    Activity,
    ActivityChange,
    Assessment,
    Photo,
    Visit,
    VisitChange,
    refresh_summaries,
)

VISIT_FIELDS = [
    "visited_on",
    "mode",
    "met_child",
    "met_caregiver",
    "met_parents",
    *[f for aspect in Visit.ASPECTS for f in (aspect, f"{aspect}_note")],
    "problems",
    "actions",
    "referrals",
    "follow_up_on",
]


def _plain(data: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}


def _findings_text(visit: Visit) -> str:
    labels = {a: str(Visit._meta.get_field(a).verbose_name) for a in Visit.ASPECTS}
    parts = [
        f"{labels[a]}: {Assessment(level).label}" + (f" — {note}" if note else "")
        for a, level, note in visit.findings()
    ]
    return f"{visit.visited_on:%Y-%m-%d} " + "; ".join(parts)


SEVERITY = {Assessment.FINE: 0, Assessment.CONCERN: 1, Assessment.URGENT: 2}


def _due_follow_up(visit: Visit) -> None:
    """A concern or urgent finding brings the follow-up within the policy's delay (a later
    date typed on the form is brought forward)."""
    worst = visit.worst
    if worst == Assessment.FINE:
        return
    latest = visit.visited_on + dt.timedelta(days=policy.FOLLOW_UP_DAYS[worst])
    if not visit.follow_up_on or visit.follow_up_on > latest:
        visit.follow_up_on = latest


def act_on_findings(actor, visit: Visit, before: str) -> None:
    """Open a concern on the child (its care level is computed again with the visit as the
    reason) when the visit's worst finding is worse than `before`; an urgent safety finding
    flags the child to be reported at once."""
    if SEVERITY[visit.worst] <= SEVERITY[before]:
        return
    report = _findings_text(visit) if visit.safety == Assessment.URGENT else ""
    open_concern(
        actor,
        visit.child,
        _findings_text(visit),
        source=Concern.Source.VISIT,
        source_ref=visit.pk,
        urgency=Concern.Urgency.URGENT
        if visit.worst == Assessment.URGENT
        else Concern.Urgency.CONCERN,
        safety=visit.safety != Assessment.FINE,
        report=report,
        on=visit.visited_on,
    )
    if visit.worst == Assessment.URGENT:
        _tell_about_urgent_finding(actor, visit)


def _tell_about_urgent_finding(actor, visit: Visit) -> None:
    """An urgent finding is a change the village's director and the township's supervisor
    hear of at once (in the list, and by e-mail as they choose)."""
    child = visit.child
    text = _("%(name)s (%(village)s): urgent finding at a visit — %(findings)s") % {
        "name": child.name,
        "village": child.area.name,
        "findings": _findings_text(visit),
    }
    tell_of_change(
        actor, child, text, reverse("care:visit_detail", args=[visit.pk]), visit.visited_on
    )


@transaction.atomic
@transaction.atomic
def record_visit(actor, child, data: dict, *, made_at=None, photos=()) -> Visit:
    """Record a visit. A concern or urgent finding opens a concern on the child (the registry
    computes the care level again with it as the reason) and makes a follow-up due; an urgent
    safety finding flags the child for an immediate report. `made_at` is when it was recorded
    on the phone (a visit sent later from the outbox); online, now. `photos` (files) are kept
    with it, or nothing is (attach_photo)."""
    visit = Visit(
        child=child,
        area=child.area,
        visitor=actor,
        made_at=made_at or timezone.now(),
        **{k: v for k, v in data.items() if k in VISIT_FIELDS},
    )
    _due_follow_up(visit)
    visit.full_clean()
    visit.save()
    log_action(
        actor,
        "care.visit.created",
        visit,
        {"child": child.pk, "findings": [f[:2] for f in visit.findings()]},
    )
    refresh_summaries([child.pk])
    act_on_findings(actor, visit, Assessment.FINE)
    for upload in photos:
        attach_photo(actor, visit, upload, made_at=made_at)
    return visit


def activity_outcome() -> list[tuple[int, str]]:
    """What the recorder is told once an activity is recorded (page or outbox alike)."""
    return [(messages.SUCCESS, _("Activity recorded."))]


def visit_outcome(visit: Visit) -> list[tuple[int, str]]:
    """What the director is told once a visit is recorded, as (message level, text): the same
    words whether the visit came from the page or from the phone's outbox."""
    told = [(messages.SUCCESS, _("Visit recorded."))]
    if visit.worst == "fine":
        return told
    if visit.child.care_level_override:
        told.append(
            (
                messages.WARNING,
                _(
                    "The care level was set by an officer and stays as it "
                    "is; ask the township to review it."
                ),
            )
        )
    told.append(
        (
            messages.WARNING,
            _("The findings raised the child's care level; a follow-up is due on %(day)s.")
            % {"day": visit.follow_up_on.isoformat()},
        )
    )
    return told


@transaction.atomic
def correct_visit(actor, visit: Visit, data: dict) -> dict:
    """Correct a recorded visit; the fields it changes are kept in its history. A correction
    that makes a finding worse acts on it as a new visit would."""
    before = _plain(model_to_dict(visit, fields=VISIT_FIELDS))
    worst_before = visit.worst
    assign(visit, data, VISIT_FIELDS)
    _due_follow_up(visit)
    visit.full_clean()
    visit.save()
    refresh_summaries([visit.child_id])
    act_on_findings(actor, visit, worst_before)
    after = _plain(model_to_dict(visit, fields=VISIT_FIELDS))
    changes = record_change(VisitChange, actor, before, after, visit=visit)
    log_action(actor, "care.visit.updated", visit, {"changes": changes})
    return changes


@transaction.atomic
@transaction.atomic
def record_activity(
    actor, data: dict, children, helper_accounts=(), *, made_at=None, photos=()
) -> Activity:
    """Record an activity at a children's home with the children and helpers who came.
    `made_at` is when it was recorded on the phone (the outbox); online, now. `photos`
    (files) are kept with it, or nothing is."""
    activity = Activity(recorded_by=actor, made_at=made_at or timezone.now(), **data)
    activity.full_clean()
    activity.save()
    activity.children.set(children)
    activity.helper_accounts.set(helper_accounts)
    log_action(
        actor,
        "care.activity.created",
        activity,
        {
            "children": [c.pk for c in children],
            "theme": activity.theme,
            "helpers": [u.pk for u in helper_accounts],
        },
    )
    for upload in photos:
        attach_photo(actor, activity, upload, made_at=made_at)
    return activity


# An activity's own fields: what it was, then how many helpers and adults came.
_ACTIVITY_WHAT = ["home", "held_on", "theme", "description"]
_ACTIVITY_HOW_MANY = ["helpers", "adults"]
ACTIVITY_FIELDS = [*_ACTIVITY_WHAT, *_ACTIVITY_HOW_MANY]
# An activity as it is entered and shown: its own fields and who came by name.
ACTIVITY_ENTRY_FIELDS = [*_ACTIVITY_WHAT, "children", "helper_accounts", *_ACTIVITY_HOW_MANY]


def _activity_snapshot(activity) -> dict:
    data = _plain(model_to_dict(activity, fields=ACTIVITY_FIELDS))
    data["children"] = sorted(activity.children.values_list("pk", flat=True))
    data["helper_accounts"] = sorted(activity.helper_accounts.values_list("pk", flat=True))
    return data


@transaction.atomic
def correct_activity(actor, activity, data: dict, children, helper_accounts, *, based_on) -> dict:
    """Correct an activity; the fields it changes are kept in its history.

    `based_on` is the version the correction started from: the row is locked and a newer
    version refuses the save (core.exceptions.Stale), so two corrections cannot both
    pass the check.
    """
    lock_current(Activity.objects, activity.pk, based_on)
    before = _activity_snapshot(activity)
    assign(activity, data, ACTIVITY_FIELDS)
    activity.full_clean()
    activity.save()
    activity.children.set(children)
    activity.helper_accounts.set(helper_accounts)
    after = _activity_snapshot(activity)
    changes = record_change(ActivityChange, actor, before, after, activity=activity)
    log_action(actor, "care.activity.updated", activity, {"changes": changes})
    return changes


@transaction.atomic
def attach_photo(actor, record, upload, *, client_id=None, made_at=None) -> Photo:
    """Keep a photo of a visit or an activity (`record`, one the actor sees): resized and
    stripped of its metadata (core.images), at most Photo.MAX_PER_RECORD a record. `client_id`
    is the id the phone made (the outbox), `made_at` when it was taken there."""
    if not can_write(actor):
        raise Refused(_("Your role may not add photos."))
    owner = {"visit": record} if isinstance(record, Visit) else {"activity": record}
    # Locked: two photos arriving together cannot both take the last place.
    type(record).objects.select_for_update().filter(pk=record.pk).first()
    if Photo.objects.filter(**owner).count() >= Photo.MAX_PER_RECORD:
        raise Invalid({"photos": _("At most %(n)d photos a record.") % {"n": Photo.MAX_PER_RECORD}})
    content, width, height = normalised_photo(upload)
    photo = Photo(
        client_id=client_id,
        taken_by=actor,
        made_at=made_at or timezone.now(),
        width=width,
        height=height,
        size=content.size,
        **owner,
    )
    photo.image.save("photo.jpg", content, save=False)
    photo.save()
    log_action(
        actor,
        "care.photo.added",
        photo,
        {"record": record._meta.label_lower, "record_id": record.pk, "bytes": photo.size},
    )
    return photo
