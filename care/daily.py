"""The daily run of care work: notify directors of visits due and overdue, escalate
special-attention children overdue by more than 15 days to the township supervisors, and
escalate concerns past their due date to them (once per concern)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from children.choices import CareLevel
from children.models import Child
from children.services import concerns
from core.audit import log_action
from notifications.models import Notification
from people.models import User
from people.roles import Role

from . import policy, schedule


def run(today: dt.date) -> dict:
    """Write the day's notifications; idempotent.

    One notification per recipient, kind, child and due date, so a second run (or the next
    day, for the same due date) adds nothing. The stored text is in the county's language;
    the page renders notifications from their fields in the reader's.
    """
    directors: dict[int, list] = {}
    for user in User.objects.filter(role=Role.DIRECTOR, is_active=True):
        directors.setdefault(user.area_id, []).append(user)
    # Escalations go to the township's supervisors; a township without one falls back to its
    # civil-affairs staff, so that an escalation always reaches somebody.
    supervisors: dict[int, list] = {}
    staff: dict[int, list] = {}
    for user in User.objects.filter(
        role__in=[Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_STAFF], is_active=True
    ):
        target = supervisors if user.role == Role.TOWNSHIP_SUPERVISOR else staff
        target.setdefault(user.area_id, []).append(user)
    for township_id, people in staff.items():
        supervisors.setdefault(township_id, people)

    with translation.override(settings.LANGUAGE_CODE):
        notes, counts = _notifications(today, directors, supervisors)
        overdue_concerns = list(concerns.escalation_due(today))
        notes += _concern_escalations(overdue_concerns, supervisors)
        counts["concerns_escalated"] = len(overdue_concerns)
    with transaction.atomic():
        before = Notification.objects.count()
        Notification.objects.bulk_create(notes, batch_size=1000, ignore_conflicts=True)
        created = Notification.objects.count() - before
        concerns.mark_escalated(overdue_concerns, today)
    log_action(
        None, "care.daily.run", data={**counts, "notifications": created, "day": today.isoformat()}
    )
    return {**counts, "notifications": created}


def _notes(recipients, text, **fields) -> list:
    """A notification of `text` (cut to the field's 300 characters) for each recipient."""
    return [Notification(recipient=user, text=text[:300], **fields) for user in recipients]


def _concern_escalations(overdue, supervisors) -> list:
    """A concern past its due date goes to the township's supervisors and its owner, once
    (the concern remembers it was escalated)."""
    notes = []
    for concern in overdue:
        child = concern.child
        text = _("%(name)s (%(village)s): a concern is past its due date (%(day)s)") % {
            "name": child.name,
            "village": child.area.name,
            "day": concern.due_on,
        }
        recipients = {u.pk: u for u in supervisors.get(child.area.parent_id, [])}
        if concern.owner_id and concern.owner_id not in recipients:
            recipients[concern.owner_id] = concern.owner
        notes += _notes(
            recipients.values(),
            text,
            kind=Notification.Kind.CONCERN_OVERDUE,
            child=child,
            day=concern.due_on,
            link=reverse("children:concern", args=[concern.pk]),
        )
    return notes


def _notifications(today, directors, supervisors):
    notes = []
    counts = {"due": 0, "overdue": 0, "escalated": 0}
    children = schedule.with_visits(Child.objects.active().select_related("area"))
    for child in children.iterator(chunk_size=2000):
        item = schedule.due(child, today)
        if item.state == schedule.OVERDUE:
            kind, text = (
                Notification.Kind.OVERDUE,
                _("%(name)s (%(village)s): visit overdue since %(day)s")
                % {"name": child.name, "village": child.area.name, "day": item.due_on},
            )
        elif item.state == schedule.DUE_SOON:
            kind, text = (
                Notification.Kind.DUE,
                _("%(name)s (%(village)s): visit due by %(day)s")
                % {"name": child.name, "village": child.area.name, "day": item.due_on},
            )
        else:
            continue
        counts[kind] += 1
        village_directors = directors.get(child.area_id, [])
        notes += _notes(village_directors, text, kind=kind, child=child, day=item.due_on)
        if (
            item.state == schedule.OVERDUE
            and item.level == CareLevel.SPECIAL
            and item.days_overdue > policy.ESCALATE_AFTER_DAYS
        ):
            counts["escalated"] += 1
            text = _(
                "%(name)s (%(village)s), special attention: no visit for %(n)s days "
                "past the due date"
            ) % {"name": child.name, "village": child.area.name, "n": item.days_overdue}
            notes += _notes(
                supervisors.get(child.area.parent_id, []),
                text,
                kind=Notification.Kind.ESCALATED,
                child=child,
                day=item.due_on,
            )
    return notes, counts
