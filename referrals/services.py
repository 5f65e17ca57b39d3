"""Referrals: making one (by hand, or when a report of concern names a referral), recording
the receiver's answer, withdrawing it, and escalating unanswered ones to the township and then
the county. Every step is audited; refusals raise core.exceptions (`Invalid` naming the
fields, `Refused`, `NotNow`)."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from children.choices import Status as ChildStatus
from children.models import Child
from core.audit import log_action
from core.exceptions import Invalid, NotNow, Refused, refuse_invalid
from core.scoping import can_write
from core.values import typed
from notifications.models import Notification
from notifications.notify import notify
from people.models import User
from people.roles import Role

from . import policy
from .models import Referral
from .policy import Kind, State

REFERRAL_FIELDS = ["kind", "receiver_name", "organisation", "receiver_user", "reason", "due_on"]


def today() -> dt.date:
    return timezone.localdate()


def link(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def may_handle(actor, referral: Referral) -> bool:
    """The village's director and the township and county officers above it refer, record
    answers and withdraw; the read-only leader and the helpers do not."""
    return can_write(actor) and Referral.objects.editable_by(actor).filter(pk=referral.pk).exists()


def social_workers_for(area):
    """The social workers a child of this village may be referred to: those of its county."""
    return User.objects.filter(
        is_active=True, role=Role.SOCIAL_WORKER, area__code__startswith=area.code[:6]
    ).order_by("username")


def clean_referral(area, values: dict, made_on: dt.date) -> dict:
    """Check a referral's values and complete the due date (the kind's default when none is
    given); raises Invalid naming the fields at fault."""
    errors = {}
    kind = values.get("kind")
    if kind not in Kind.values:
        errors["kind"] = _("Choose who the child is referred to.")
    organisation, receiver_user = values.get("organisation"), values.get("receiver_user")
    if kind not in (Kind.ORGANISATION, Kind.SOCIAL_WORKER):
        organisation = receiver_user = None  # those name only organisations and social workers
    if organisation is not None and (
        organisation.county.code[:6] != area.code[:6] or not organisation.active
    ):
        errors["organisation"] = _("Choose an active organisation of the county.")
    if (
        receiver_user is not None
        and not social_workers_for(area).filter(pk=receiver_user.pk).exists()
    ):
        errors["receiver_user"] = _("Choose a social worker of the county.")
    receiver_name = typed(values, "receiver_name")
    if kind == Kind.ORGANISATION and organisation is None and not receiver_name:
        errors["organisation"] = _("Choose the organisation, or name it.")
    elif kind == Kind.SOCIAL_WORKER and receiver_user is None and not receiver_name:
        errors["receiver_user"] = _("Choose the social worker, or name them.")
    reason = typed(values, "reason")
    if len(reason) < 5:
        errors["reason"] = _("Say why the child is referred (at least 5 characters).")
    due_on = values.get("due_on")
    if due_on is None and kind in Kind.values:
        due_on = policy.default_due_on(kind, made_on)
    if due_on is not None and due_on < made_on:
        errors["due_on"] = _("The answer cannot be due before the referral is made.")
    refuse_invalid(errors)
    return {
        "kind": kind,
        "receiver_name": receiver_name,
        "organisation": organisation,
        "receiver_user": receiver_user,
        "reason": reason,
        "due_on": due_on,
    }


def _made(actor, referral: Referral) -> Referral:
    log_action(
        actor,
        "referrals.referral.made",
        referral,
        {
            "child": referral.child_id,
            "report": referral.report_id,
            "concern": referral.concern_id,
            "kind": referral.kind,
            "due_on": referral.due_on.isoformat(),
        },
    )
    return referral


@transaction.atomic
def refer(actor, child: Child, data: dict, *, concern=None) -> Referral:
    """Refer a child of the actor's jurisdiction (optionally for one of its concerns)."""
    if not (can_write(actor) and Child.objects.editable_by(actor).filter(pk=child.pk).exists()):
        raise Refused
    if child.status != ChildStatus.ACTIVE:
        raise Invalid(_("This record is closed: reopen it before referring the child."))
    if concern is not None and concern.child_id != child.pk:
        raise Invalid({"concern": _("The concern is another child's.")})
    made_on = today()
    values = clean_referral(child.area, {k: data.get(k) for k in REFERRAL_FIELDS}, made_on)
    referral = Referral.objects.create(
        area=child.area, child=child, concern=concern, made_by=actor, made_on=made_on, **values
    )
    return _made(actor, referral)


def from_report(actor, report) -> Referral | None:
    """The referral a report of concern names as it is moved on (concerns.services.advance):
    made once per receiver named, for the report's child (or its place, while none is
    linked), due by the kind's default."""
    kind = policy.FROM_REPORT.get(report.referral)
    if kind is None or report.referrals.filter(kind=kind).exists():
        return None
    made_on = today()
    referral = Referral.objects.create(
        area=report.child.area if report.child_id else report.area,
        child=report.child,
        report=report,
        kind=kind,
        receiver_name=report.get_referral_display(),
        reason=_("Report of concern %(ref)s: %(situation)s")
        % {"ref": report.reference, "situation": report.get_situation_display()},
        made_by=actor if getattr(actor, "is_authenticated", False) else None,
        made_on=made_on,
        due_on=policy.default_due_on(kind, made_on),
    )
    return _made(actor, referral)


def link_report_child(report) -> int:
    """A report's referrals made before its child was known follow the child once linked."""
    return Referral.objects.filter(report=report, child__isnull=True).update(
        child=report.child, area=report.child.area, updated_at=timezone.now()
    )


def _locked_open(actor, referral: Referral) -> Referral:
    referral = Referral.objects.select_for_update().select_related("area").get(pk=referral.pk)
    if not may_handle(actor, referral):
        raise Refused
    if referral.state != State.OPEN:
        raise NotNow(_("This referral is no longer open."))
    return referral


@transaction.atomic
def answer(actor, referral: Referral, text: str, answered_on: dt.date | None = None):
    """Record the receiver's answer (what they did or decided): the referral is closed."""
    referral = _locked_open(actor, referral)
    text = (text or "").strip()
    answered_on = answered_on or today()
    errors = {}
    if len(text) < 2:
        errors["answer"] = _("Write what the receiver answered.")
    if answered_on > today():
        errors["answered_on"] = _("The answer cannot come in the future.")
    elif answered_on < referral.made_on:
        errors["answered_on"] = _("The answer cannot come before the referral.")
    refuse_invalid(errors)
    referral.state = State.ANSWERED
    referral.answer = text
    referral.answered_on = answered_on
    referral.answered_by = actor
    referral.save()
    log_action(
        actor,
        "referrals.referral.answered",
        referral,
        {"child": referral.child_id, "answered_on": answered_on.isoformat()},
    )
    return referral


@transaction.atomic
def withdraw(actor, referral: Referral, reason: str) -> Referral:
    """Withdraw a referral no longer needed (made in error, the need ended), saying why."""
    referral = _locked_open(actor, referral)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise Invalid({"reason": _("Say why the referral is withdrawn.")})
    referral.state = State.WITHDRAWN
    referral.withdrawn_reason = reason[:300]
    referral.save()
    log_action(actor, "referrals.referral.withdrawn", referral, {"child": referral.child_id})
    return referral


def _escalate(referral: Referral, users, level: str, on: dt.date) -> None:
    text = _("Referral to %(kind)s from %(village)s not answered since %(due)s") % {
        "kind": referral.get_kind_display(),
        "village": referral.area.name,
        "due": referral.due_on.isoformat(),
    }
    notify(users, Notification.Kind.REFERRAL_OVERDUE, text, link(referral), day=on)
    field = f"escalated_{level}_on"
    Referral.objects.filter(pk=referral.pk).update(**{field: on})
    log_action(None, "referrals.referral.escalated", referral, {"to": level})


def escalate_overdue(on: dt.date | None = None) -> int:
    """Unanswered referrals past their due date go to the township's supervisors (once);
    still unanswered COUNTY_AFTER_DAYS later, to the county's officers (once). Returns how
    many notices went up."""
    on = on or today()
    count = 0
    open_ = Referral.objects.open().select_related("area")
    for referral in open_.filter(due_on__lt=on, escalated_township_on__isnull=True):
        supervisors = User.objects.filter(
            is_active=True, role=Role.TOWNSHIP_SUPERVISOR, area_id=referral.area.parent_id
        )
        _escalate(referral, supervisors, "township", on)
        count += 1
    late = on - dt.timedelta(days=policy.COUNTY_AFTER_DAYS)
    for referral in open_.filter(escalated_township_on__lte=late, escalated_county_on__isnull=True):
        officers = User.objects.filter(
            is_active=True, role=Role.COUNTY_OFFICER, area__code=referral.area.code[:6] + "000000"
        )
        _escalate(referral, officers, "county", on)
        count += 1
    return count


INBOX_LIMIT = 10
# What the inbox shows of a referral (its template, Referral.receiver): on every worklist,
# the whole rows of the child, the village, the organisation and the account (a hundred
# columns) cost twice the query.
INBOX_FIELDS = (
    "kind",
    "state",
    "due_on",
    "receiver_name",
    "child__name",
    "area__name",
    "organisation__name",
    "receiver_user__name",
    "receiver_user__username",
)


def inbox(user) -> dict:
    """The open referrals of the user's jurisdiction, the longest overdue first (the context
    of referrals/partials/_inbox.html): a director sees each until it is answered."""
    referrals = list(
        Referral.objects.visible_to(user)
        .open()
        .select_related("child", "area", "organisation", "receiver_user")
        .only(*INBOX_FIELDS)
        .order_by("due_on", "pk")[:INBOX_LIMIT]
    )
    return {"referrals": referrals, "today": today()}
