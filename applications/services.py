"""The changes of applications for benefits: open one, attach documents, the township's check,
the county's decision (approval makes the relief measure), withdrawal, a stop and its
decision, and the escalation of steps past their deadline. Every change is atomic and
audited; the rules are applications.policy's and are enforced here (not only by the pages):
a refusal is a core.exceptions `Invalid` (field errors), `Refused` (this user may not) or
`NotNow` (the application is not at this step)."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.codes import Level
from children.choices import Status as ChildStatus
from children.models import Child
from children.policy import birthday_cutoff
from core.audit import log_action
from core.exceptions import Invalid, NotNow, Refused, refuse_invalid
from core.images import normalised_photo
from core.scoping import can_write
from core.values import typed
from notifications.models import Notification
from notifications.notify import notify
from people.models import User
from people.roles import Role
from relief import services as relief_services
from relief.models import Payment, Programme, ReliefMeasure

from . import policy
from .models import Application, ApplicationDocument, ApplicationStep
from .policy import State, Step, StopReason
from .workdays import add_workdays, workdays_between


def first_of_next_month(day: dt.date) -> dt.date:
    """The first day of the month after `day`'s (coverage starts, payment stops, then)."""
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _today(today):
    return today or timezone.localdate()


def earlier_actors(application) -> dict:
    """Who took each step of an application so far ({step: {user ids}})."""
    found: dict = {}
    for step, actor_id in application.steps.values_list("step", "actor_id"):
        found.setdefault(step, set()).add(actor_id)
    return found


def refusal(actor, application, step) -> str:
    """Why `actor` may not take `step` of `application` now ("" when they may): the page
    shows its buttons from this, the services refuse with it."""
    role = getattr(actor, "role", None)
    if not can_write(actor) or not policy.role_may_take(step, role):
        return _("Your role may not take this step.")
    if application is not None:
        if not Application.objects.visible_to(actor).filter(pk=application.pk).exists():
            return _("This application is outside your jurisdiction.")
        if not policy.may_take(step, application.state, role):
            return _("This application is not at this step.")
        if policy.kept_apart(step, earlier_actors(application), actor.pk):
            return _(
                "You took an earlier step of this application: another officer must take "
                "this one (separation of duties)."
            )
    return ""


def may(actor, application, step) -> bool:
    """Whether `actor` may take `step` of `application` now."""
    return not refusal(actor, application, step)


def _require(actor, application, step):
    """Refuse a step the actor may not take: the role or the separation of duties (Refused),
    or the application's state (NotNow)."""
    reason = refusal(actor, application, step)
    if not reason:
        return
    role = getattr(actor, "role", None)
    if (
        application is not None
        and can_write(actor)
        and policy.role_may_take(step, role)
        and not policy.may_take(step, application.state, role)
        and Application.objects.visible_to(actor).filter(pk=application.pk).exists()
    ):
        raise NotNow(reason)
    raise Refused(reason)


def _locked(application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("child__area", "programme__county", "area", "measure")
        .get(pk=application.pk)
    )


def _record(application, step, actor, today, note="", working_days=None):
    """Write the step in the application's history."""
    authenticated = getattr(actor, "is_authenticated", False)
    return ApplicationStep.objects.create(
        application=application,
        step=step,
        actor=actor if authenticated else None,
        on=today,
        state=application.state,
        note=note,
        working_days=working_days,
    )


def _wait_for(application, state, today):
    """Move the application to `state`, which waits on someone: its deadline in working
    days from today (policy.TIME_LIMITS), not yet escalated; a final state has none."""
    application.state = state
    application.step_since = today
    limit = policy.TIME_LIMITS.get(state)
    application.due_on = add_workdays(today, limit) if limit else None
    application.escalated = False


def _audit(actor, action, application, data):
    log_action(actor, action, application, {"child": application.child_id, **data})


def _required_text(data, name, message, errors, minimum=2):
    text = typed(data, name)
    if len(text) < minimum:
        errors[name] = message
    return text


# -- opening, documents ------------------------------------------------------------------


def programme_for(child, programme) -> Programme:
    """The programme of the child's county's catalogue to apply for: a Programme or a code,
    one of policy.PROGRAMMES."""
    if isinstance(programme, str):
        if programme not in policy.PROGRAMMES:
            raise Invalid({"programme": _("Choose a programme one applies for.")})
        programme = relief_services.programme_by_code(child, programme)
    if programme is None or programme.code not in policy.PROGRAMMES:
        raise Invalid({"programme": _("Choose a programme one applies for.")})
    if programme.county.code[:6] != child.area.code[:6]:
        raise Invalid({"programme": _("This programme belongs to another county's catalogue.")})
    return programme


@transaction.atomic
def open_application(actor, child, data: dict, *, today=None) -> Application:
    """Open an application for `child` (a village director or a township officer): the
    township's check is due within 10 working days."""
    _require(actor, None, Step.OPEN)
    if not Child.objects.visible_to(actor).filter(pk=child.pk).exists():
        raise Refused(_("This child is outside your jurisdiction."))
    if child.status != ChildStatus.ACTIVE:
        raise Invalid(_("This record is closed: reopen it before applying."))
    errors = {}
    try:
        programme = programme_for(child, data.get("programme"))
    except Invalid as error:
        errors.update(error.message_dict)
        programme = None
    reason = _required_text(
        data, "reason", _("Say why the child needs it (at least 5 characters)."), errors, 5
    )
    if (
        programme is not None
        and Application.objects.filter(
            child=child,
            programme=programme,
            state__in=[*policy.OPEN_STATES, State.IN_EFFECT],
        ).exists()
    ):
        errors["programme"] = _("The child already has an application for this programme.")
    refuse_invalid(errors)
    today = _today(today)
    application = Application(
        child=child,
        programme=programme,
        area=child.area,
        reason=reason,
        opened_by=actor,
        opened_on=today,
    )
    _wait_for(application, State.APPLIED, today)
    application.save()
    _record(application, Step.OPEN, actor, today, note=reason)
    _audit(
        actor,
        "applications.application.opened",
        application,
        {"programme": programme.code, "due_on": application.due_on.isoformat()},
    )
    return application


def _document_content(upload):
    """The file as kept and its type: a PDF as sent (within its size limit), a photo of a
    paper as JPEG without metadata (core.images). Anything else is refused."""
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        if upload.size is None or upload.size > policy.MAX_PDF_BYTES:
            raise Invalid(
                {
                    "file": _("A PDF may be at most %(mb)d MB.")
                    % {"mb": policy.MAX_PDF_BYTES // (1024 * 1024)}
                }
            )
        return upload, "application/pdf", "document.pdf"
    try:
        content, _width, _height = normalised_photo(upload, field="file")
    except Invalid as error:
        raise Invalid({"file": _("Send a photo (JPEG, PNG or WebP) or a PDF scan.")}) from error
    return content, "image/jpeg", "document.jpg"


@transaction.atomic
def attach_document(actor, application, upload, title: str) -> ApplicationDocument:
    """Attach a document (a photo or a PDF scan) to an application still being handled; at
    most policy.MAX_DOCUMENTS an application."""
    application = _locked(application)  # two uploads cannot both take the last place
    _require(actor, application, Step.ATTACH)
    errors = {}
    title = _required_text({"title": title}, "title", _("Say what the document is."), errors)
    if application.documents.count() >= policy.MAX_DOCUMENTS:
        errors["file"] = _("At most %(n)d documents an application.") % {"n": policy.MAX_DOCUMENTS}
    if upload is None:
        errors["file"] = _("Choose a file.")
    refuse_invalid(errors)
    content, content_type, name = _document_content(upload)
    document = ApplicationDocument(
        application=application,
        title=title[:100],
        content_type=content_type,
        size=content.size,
        uploaded_by=actor,
    )
    document.file.save(name, content, save=False)
    document.save()
    today = timezone.localdate()
    _record(application, Step.ATTACH, actor, today, note=document.title)
    _audit(
        actor,
        "applications.document.added",
        application,
        {"document": document.pk, "type": content_type, "bytes": document.size},
    )
    return document


# -- the township's check, the county's decision, withdrawal -----------------------------


@transaction.atomic
def check_application(actor, application, data: dict, *, today=None) -> Application:
    """The township's check (查验): the findings, the facts cross-checked with other
    departments' records, and whether they confirm the application. Not by the one who
    applied. The county's decision is then due within 5 working days."""
    application = _locked(application)
    _require(actor, application, Step.CHECK)
    errors = {}
    findings = _required_text(data, "findings", _("Write what the check found."), errors, 5)
    cross_checked = _required_text(
        data, "cross_checked", _("Say which facts were cross-checked, and with whom."), errors
    )
    passed = data.get("passed")
    if passed is None:
        errors["passed"] = _("Say whether the facts confirm the application.")
    refuse_invalid(errors)
    today = _today(today)
    taken = workdays_between(application.step_since, today)
    application.check_passed = bool(passed)
    application.findings = findings
    application.cross_checked = cross_checked
    _wait_for(application, State.CHECKED, today)
    application.save()
    _record(application, Step.CHECK, actor, today, note=findings, working_days=taken)
    _audit(
        actor,
        "applications.application.checked",
        application,
        {"passed": bool(passed), "working_days": taken},
    )
    return application


@transaction.atomic
def decide_application(actor, application, data: dict, *, today=None) -> Application:
    """The county's decision (确认), not by the one who applied or checked: approve with the
    monthly (or one-off) amount, and the relief measure is made, in effect from the month
    after the decision; or refuse with the reason."""
    application = _locked(application)
    _require(actor, application, Step.DECIDE)
    errors = {}
    approved = data.get("approved")
    reason = typed(data, "decision_reason")
    amount = data.get("amount")
    if approved is None:
        errors["approved"] = _("Approve or refuse.")
    elif approved:
        if not policy.may_approve(application.check_passed):
            errors["approved"] = _(
                "The township's check did not confirm the facts: the application can only "
                "be refused."
            )
        if amount is None or amount <= 0:
            errors["amount"] = _("Enter the amount approved (more than zero).")
    elif len(reason) < 5:
        errors["decision_reason"] = _("Say why it is refused (at least 5 characters).")
    refuse_invalid(errors)
    today = _today(today)
    taken = workdays_between(application.step_since, today)
    application.decided_on = today
    application.decision_reason = reason
    if approved:
        application.amount = amount
        application.start_month = first_of_next_month(today)
        application.measure = relief_services.add_measure(
            actor,
            application.child,
            {
                "programme": application.programme,
                "amount": amount,
                "start_month": application.start_month,
                "status": ReliefMeasure.Status.ACTIVE,
                "note": _("Application %(ref)s") % {"ref": application.reference},
            },
        )
        _wait_for(application, State.IN_EFFECT, today)
    else:
        _wait_for(application, State.REFUSED, today)
    application.save()
    _record(application, Step.DECIDE, actor, today, note=reason, working_days=taken)
    _audit(
        actor,
        "applications.application.decided",
        application,
        {
            "approved": bool(approved),
            "amount": f"{amount:.2f}" if approved else None,
            "start_month": application.start_month.isoformat() if approved else None,
            "working_days": taken,
        },
    )
    return application


@transaction.atomic
def withdraw_application(actor, application, reason: str, *, today=None) -> Application:
    """The family withdraws the application before the county's decision."""
    application = _locked(application)
    _require(actor, application, Step.WITHDRAW)
    errors = {}
    reason = _required_text({"reason": reason}, "reason", _("Say why it is withdrawn."), errors)
    refuse_invalid(errors)
    today = _today(today)
    _wait_for(application, State.WITHDRAWN, today)
    application.save()
    _record(application, Step.WITHDRAW, actor, today, note=reason)
    _audit(actor, "applications.application.withdrawn", application, {})
    return application


# -- the stop ----------------------------------------------------------------------------


@transaction.atomic
def open_stop(actor, application, data: dict, *, today=None, system=False) -> Application:
    """Open a stop (终止) of a measure in effect: the change that ends eligibility. The
    county's decision is due within 5 working days. `system` is the daily check of
    stops_due (no user)."""
    application = _locked(application)
    if system:
        if application.state != State.IN_EFFECT:
            raise NotNow(_("This application is not at this step."))
        actor = None
    else:
        _require(actor, application, Step.OPEN_STOP)
    errors = {}
    stop_reason = data.get("stop_reason")
    if stop_reason not in StopReason.values:
        errors["stop_reason"] = _("Choose what changed.")
    note = typed(data, "stop_note")
    if stop_reason == StopReason.OTHER and len(note) < 5:
        errors["stop_note"] = _("Say what changed (at least 5 characters).")
    refuse_invalid(errors)
    today = _today(today)
    application.stop_reason = stop_reason
    application.stop_note = note
    _wait_for(application, State.STOP_OPENED, today)
    application.save()
    _record(application, Step.OPEN_STOP, actor, today, note=note)
    _audit(
        actor,
        "applications.stop.opened",
        application,
        {"reason": stop_reason, "automatic": system},
    )
    return application


@transaction.atomic
def decide_stop(actor, application, data: dict, *, today=None) -> Application:
    """The county confirms a stop (not the one who opened it): the measure ends and payment
    stops from the next month (its last month is this one). Or it finds the child still
    eligible: the measure goes on."""
    application = _locked(application)
    _require(actor, application, Step.DECIDE_STOP)
    errors = {}
    confirmed = data.get("confirmed")
    note = typed(data, "note")
    if confirmed is None:
        errors["confirmed"] = _("Confirm the stop or keep the measure.")
    elif not confirmed and len(note) < 5:
        errors["note"] = _("Say why the measure goes on (at least 5 characters).")
    refuse_invalid(errors)
    today = _today(today)
    taken = workdays_between(application.step_since, today)
    if confirmed:
        application.stops_from = first_of_next_month(today)
        measure = application.measure
        if measure is not None and measure.status != ReliefMeasure.Status.ENDED:
            # A measure's months are inclusive: paid up to this month, none from the next. A
            # measure that had not begun yet (or a one-off) keeps its first month as its last.
            last = max(today.replace(day=1), measure.start_month)
            if measure.payment == Payment.ONE_OFF:
                last = measure.start_month
            relief_services.update_measure(
                actor,
                measure,
                {"status": ReliefMeasure.Status.ENDED, "end_month": last},
                based_on=measure.updated_at,
            )
        _wait_for(application, State.STOPPED, today)
    else:
        application.stop_reason = ""
        application.stop_note = ""
        _wait_for(application, State.IN_EFFECT, today)
    application.save()
    _record(application, Step.DECIDE_STOP, actor, today, note=note, working_days=taken)
    _audit(
        actor,
        "applications.stop.decided",
        application,
        {
            "confirmed": bool(confirmed),
            "stops_from": application.stops_from.isoformat() if confirmed else None,
            "working_days": taken,
        },
    )
    return application


def stops_due(today=None, applications=None) -> list[tuple[Application, str]]:
    """Measures of approved applications whose child's situation ended eligibility, with the
    reason: the child turned 18 and is not in full-time school (the schooling field), or the
    child's record was closed (adopted, moved away, died…). Parents' changes are opened by
    hand (open_stop)."""
    today = _today(today)
    adult = Q(child__birth_date__lte=birthday_cutoff(today, policy.ADULT_AGE)) & ~Q(
        child__schooling__in=policy.FULL_TIME_SCHOOLING
    )
    closed = Q(child__status=ChildStatus.CLOSED)
    queryset = Application.objects.all() if applications is None else applications
    found = (
        queryset.filter(state=State.IN_EFFECT)
        .filter(adult | closed)
        .select_related("child")
        .order_by("pk")
    )
    return [
        (
            application,
            StopReason.CLOSED
            if application.child.status == ChildStatus.CLOSED
            else StopReason.TURNED_18,
        )
        for application in found
    ]


def open_due_stops(today=None) -> int:
    """Open a stop for every measure stops_due finds (daily, cron); returns how many."""
    count = 0
    for application, reason in stops_due(today):
        note = (
            _("The child's record was closed.")
            if reason == StopReason.CLOSED
            else _("The child turned 18 and is not recorded in full-time school.")
        )
        open_stop(None, application, {"stop_reason": reason, "stop_note": note}, system=True)
        count += 1
    return count


# -- escalation --------------------------------------------------------------------------


def escalation_recipients(application) -> list:
    """The next level above the one an overdue step waits on (policy.ESCALATES_TO): the
    county's officers for a township's check, the county's leaders for a county's decision."""
    level = policy.WAITS_ON[application.state]
    role = policy.ESCALATES_TO[level]
    code = application.area.code
    county = code[:6] + "000000"
    if role == Role.COUNTY_OFFICER:
        areas = [county]
    else:  # leaders bound to the county or above it (city, province)
        areas = [county, code[:4] + "0" * 8, code[:2] + "0" * 10]
    return list(User.objects.filter(is_active=True, role=role, area__code__in=areas))


def escalate_overdue(today=None) -> int:
    """Steps past their deadline go to the next level (once per step): a notification for
    each, and an entry in the application's history. Returns how many were escalated."""
    today = _today(today)
    overdue = (
        Application.objects.overdue(today)
        .filter(escalated=False)
        .select_related("area__parent", "child")
        .order_by("due_on", "pk")
    )
    count = 0
    for application in overdue:
        with transaction.atomic():
            level = policy.WAITS_ON[application.state]
            text = _(
                "Application %(ref)s (%(village)s) is past its deadline of %(due)s: %(step)s"
            ) % {
                "ref": application.reference,
                "village": f"{application.area.parent.name if application.area.parent else ''}"
                f"{application.area.name}",
                "due": application.due_on.isoformat(),
                "step": application.get_state_display(),
            }
            notify(
                escalation_recipients(application),
                Notification.Kind.APPLICATION_OVERDUE,
                text,
                reverse("applications:detail", args=[application.pk]),
                child=application.child,
                day=today,
            )
            Application.objects.filter(pk=application.pk).update(escalated=True)
            _record(
                application,
                Step.ESCALATE,
                None,
                today,
                note=str(Level(level).label),
                working_days=workdays_between(application.step_since, today),
            )
            _audit(
                None,
                "applications.application.escalated",
                application,
                {"state": application.state, "due_on": application.due_on.isoformat()},
            )
        count += 1
    return count
