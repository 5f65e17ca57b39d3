"""The handling of reports of concern: receiving one (from staff or the public page),
routing it, linking the child, moving it forward, and escalating overdue ones to the county.
Every step is audited; refusals raise core.exceptions (`Invalid` naming the fields,
`Refused`)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.codes import Level
from children.models import Child
from children.models import Concern as ChildConcern
from children.services.concerns import open_concern
from core.audit import log_action
from core.exceptions import Invalid, Refused, refuse_invalid
from core.scoping import can_write
from core.values import typed
from notifications.models import Notification
from notifications.notify import notify, responsible_for
from people.models import User
from people.roles import Role
from referrals import services as referrals

from .models import ConcernReport, ReportEvent, Situation, State, Urgency

# Hours to act on a report, by urgency (settings.SHOUHU_REPORT_DEADLINE_HOURS overrides).
DEADLINE_HOURS = {Urgency.IMMEDIATE: 24, Urgency.NORMAL: 7 * 24}
ORDER = [State.RECEIVED, State.ASSESSING, State.ACTION_TAKEN, State.CLOSED]
# What a report says about the concern, and who reported it (confidential: sees_reporter).
CONCERN_FIELDS = [
    "area",
    "place",
    "situation",
    "description",
    "urgency",
    "child_name",
    "child_age",
]
REPORTER_FIELDS = ["reporter_name", "reporter_phone", "reporter_role"]
REPORT_FIELDS = [*CONCERN_FIELDS, *REPORTER_FIELDS]


def deadline_hours(urgency: str) -> int:
    configured = getattr(settings, "SHOUHU_REPORT_DEADLINE_HOURS", {}) or {}
    return int(configured.get(urgency, DEADLINE_HOURS[urgency]))


def clean_report(values: dict) -> dict:
    errors = {}
    area = values.get("area")
    if area is None or getattr(area, "level", None) != Level.VILLAGE:
        errors["area"] = _("Choose the village where the child is.")
    for name, message in (
        ("situation", _("Choose what the report is about.")),
        ("urgency", _("Say how urgent it is.")),
    ):
        if not values.get(name):
            errors[name] = message
    description = typed(values, "description")
    if len(description) < 10:
        errors["description"] = _("Describe what you saw or heard (at least 10 characters).")
    place = typed(values, "place")
    if not place:
        errors["place"] = _("Say where it happened or where the child is.")
    age = values.get("child_age")
    if age is not None and not 0 <= age <= 17:
        errors["child_age"] = _("A child is 0 to 17 years old.")
    refuse_invalid(errors)
    return {
        **{k: values.get(k) for k in REPORT_FIELDS},
        "place": place,
        "description": description,
        "child_name": typed(values, "child_name"),
        "reporter_name": typed(values, "reporter_name"),
        "reporter_phone": typed(values, "reporter_phone"),
        "reporter_role": values.get("reporter_role") or "",
    }


@transaction.atomic
def receive(data: dict, *, actor=None, source: str) -> ConcernReport:
    """Receive a report (from a staff member or helper, or from the public page): give it its
    deadline and send it to the village's director and township supervisor at once."""
    values = clean_report({k: v for k, v in data.items() if k in REPORT_FIELDS})
    now = timezone.now()
    authenticated = getattr(actor, "is_authenticated", False)
    report = ConcernReport.objects.create(
        **values,
        source=source,
        reporter_user=actor if authenticated else None,
        received_at=now,
        deadline=now + dt.timedelta(hours=deadline_hours(values["urgency"])),
    )
    if authenticated and not report.reporter_name:
        report.reporter_name = str(actor)
        report.reporter_phone = report.reporter_phone or actor.phone
        report.save(update_fields=["reporter_name", "reporter_phone"])
    ReportEvent.objects.create(
        report=report, actor=actor if authenticated else None, state=State.RECEIVED
    )
    text = _("Report of concern in %(village)s: %(situation)s (act by %(deadline)s)") % {
        "village": report.area.name,
        "situation": report.get_situation_display(),
        "deadline": timezone.localtime(report.deadline).strftime("%Y-%m-%d %H:%M"),
    }
    notify(responsible_for(report.area), Notification.Kind.REPORT, text, _link(report))
    # The audit names what was reported, never who reported it.
    log_action(
        actor if authenticated else None,
        "concerns.report.received",
        report,
        {"source": source, "situation": report.situation, "urgency": report.urgency},
        area_code=report.area.code,
    )
    return report


def _link(report) -> str:
    return reverse("concerns:detail", args=[report.pk])


def may_handle(actor, report: ConcernReport) -> bool:
    """The village's director and the township and county officers above it handle it."""
    return (
        can_write(actor) and ConcernReport.objects.editable_by(actor).filter(pk=report.pk).exists()
    )


@transaction.atomic
def link_child(actor, report: ConcernReport, child: Child) -> ConcernReport:
    """Link the report to a registered child of the place's jurisdiction. The child's record
    takes the report as a concern: its care level is computed again with it as the reason,
    the visit schedule follows, and an urgent report flags the child for a report at once."""
    report = ConcernReport.objects.select_for_update().get(pk=report.pk)
    if not may_handle(actor, report):
        raise Refused
    if not Child.objects.visible_to(actor).filter(pk=child.pk).exists():
        raise Invalid({"child": _("Choose a child of your jurisdiction.")})
    if report.child_id == child.pk:
        return report
    report.child = child
    report.save(update_fields=["child", "updated_at"])
    concern = _("Report of concern %(ref)s: %(situation)s") % {
        "ref": report.reference,
        "situation": report.get_situation_display(),
    }
    urgent = report.urgency == Urgency.IMMEDIATE
    open_concern(
        actor,
        child,
        concern,
        source=ChildConcern.Source.REPORT,
        source_ref=report.pk,
        urgency=ChildConcern.Urgency.URGENT if urgent else ChildConcern.Urgency.CONCERN,
        # Every situation but "other concern" is one of the nine of the 2020 opinion: harm.
        safety=report.situation != Situation.OTHER,
        report=concern if urgent else "",
    )
    ReportEvent.objects.create(
        report=report,
        actor=actor,
        state=report.state,
        note=_("Linked to %(name)s") % {"name": child.name},
    )
    log_action(
        actor, "concerns.report.linked", report, {"child": child.pk}, area_code=report.area.code
    )
    referrals.link_report_child(report)
    return report


@transaction.atomic
def advance(
    actor, report: ConcernReport, state: str, note: str = "", outcome: str = "", referral: str = ""
):
    """Move a report forward (received → under assessment → action taken → closed). Closing
    needs the outcome; a referral may be named at any step, and is followed as a Referral
    (referrals.services.from_report) until its receiver answers."""
    report = ConcernReport.objects.select_for_update().get(pk=report.pk)
    if not may_handle(actor, report):
        raise Refused
    if state not in ORDER or ORDER.index(state) <= ORDER.index(report.state):
        raise Invalid({"state": _("A report only moves forward.")})
    outcome = (outcome or "").strip()
    if state == State.CLOSED and not outcome:
        raise Invalid({"outcome": _("Say how the report ended before closing it.")})
    now = timezone.now()
    if report.first_action_at is None:
        report.first_action_at = now
    report.state = state
    if referral:
        report.referral = referral
    if outcome:
        report.outcome = outcome
    if state == State.CLOSED:
        report.closed_at = now
    report.save()
    ReportEvent.objects.create(report=report, actor=actor, state=state, note=(note or "").strip())
    if referral:
        referrals.from_report(actor, report)
    log_action(
        actor,
        "concerns.report.advanced",
        report,
        {"state": state, "referral": report.referral},
        area_code=report.area.code,
    )
    return report


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Reports not acted on by their deadline go to the county's officers (once each)."""
    now = now or timezone.now()
    overdue = ConcernReport.objects.filter(
        state__in=[State.RECEIVED, State.ASSESSING], deadline__lt=now, escalated_at__isnull=True
    ).select_related("area")
    count = 0
    for report in overdue:
        county_code = report.area.code[:6] + "000000"
        officers = User.objects.filter(
            is_active=True, role=Role.COUNTY_OFFICER, area__code=county_code
        )
        text = _("Report of concern %(ref)s in %(village)s is past its deadline") % {
            "ref": report.reference,
            "village": report.area.name,
        }
        notify(officers, Notification.Kind.REPORT_OVERDUE, text, _link(report))
        ConcernReport.objects.filter(pk=report.pk).update(escalated_at=now)
        log_action(None, "concerns.report.escalated", report, {}, area_code=report.area.code)
        count += 1
    return count


INBOX_LIMIT = 10


def inbox(user) -> dict:
    """The open reports of concern of the user's jurisdiction, most urgent first (the context of
    concerns/partials/_inbox.html). None open: nothing to show."""
    reports = list(
        ConcernReport.objects.visible_to(user)
        .open()
        .select_related("area")
        .order_by("deadline")[:INBOX_LIMIT]
    )
    return {"reports": reports, "now": timezone.now()}
