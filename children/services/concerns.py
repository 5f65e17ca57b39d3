"""The services of concerns: opening one (from a visit, a report of concern, a change in the
child's situation) and taking its steps (concern_policy). Each step runs in a transaction
with the concern's row locked, checks the policy, refuses a stale version, keeps the step
in the concern's events and writes the audit log. The child's record changes only through
here: its summary columns (risk, needs_report) and its classification, which reads the open
concerns — so when the last one closes the care level falls through the same rules that
raised it, with "concern resolved: <outcome>" in the child's history.

Refusals (core.exceptions): Refused (role or jurisdiction), Invalid naming the field, and
Stale (the concern changed since the version the user saw)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import log_action
from core.concurrency import is_current
from core.exceptions import Invalid, Refused, Stale, refuse_invalid
from people.models import User
from people.roles import Role

from ..choices import Status
from ..models import Child, ChildChange, Concern, ConcernEvent
from ..policy import concerns as policy
from . import _family, _record, classify_child, snapshot

Step = policy.Step
SUMMARY_LENGTH = 200


def today() -> dt.date:
    return timezone.localdate()


def default_owner(child: Child):
    """The village's director (the first by account, if there are several), or nobody."""
    return (
        User.objects.filter(role=Role.DIRECTOR, is_active=True, area_id=child.area_id)
        .order_by("pk")
        .first()
    )


def _summary(child: Child) -> tuple[str, bool, str]:
    """The child's summary columns from its concerns: the open findings, newest first, and
    whether an open concern still waits for its report to be recorded (and why)."""
    open_concerns = list(child.concerns.open().order_by("-opened_on", "-pk"))
    risk = "; ".join(c.finding for c in open_concerns)
    if len(risk) > SUMMARY_LENGTH:
        risk = risk[: SUMMARY_LENGTH - 1] + "…"
    pending = [c for c in open_concerns if c.report_pending]
    reason = pending[0].report_reason if pending else ""
    return risk, bool(pending), reason[:300]


def _update_child(actor, child: Child, note: str, kind=ChildChange.Kind.UPDATED) -> dict:
    """Write the summary and classify the child again; the history keeps the change with
    `note` as its reason. Returns the field changes."""
    child = Child.objects.select_for_update().get(pk=child.pk)
    parents, caregiver = _family(child)
    before = snapshot(child, parents, caregiver)
    before["needs_report"] = child.needs_report
    child.risk, child.needs_report, child.report_reason = _summary(child)
    if child.status == Status.ACTIVE:
        classify_child(child, parents, caregiver)
    child.save()
    after = snapshot(child, parents, caregiver)
    after["needs_report"] = child.needs_report
    return _record(actor, child, kind, before, after, note[:300])


def summarise_again(actor, child: Child, note: str, kind=ChildChange.Kind.UPDATED) -> dict:
    """Write a child's concern summary and classification again after its concerns changed
    hands (a merge of two records of one child, registry.services.merge): the field changes."""
    return _update_child(actor, child, note, kind)


def _event(actor, concern, step, from_state, note=""):
    ConcernEvent.objects.create(
        concern=concern,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "",
        step=step,
        from_state=from_state,
        to_state=concern.state,
        note=note,
    )


@transaction.atomic
def open_concern(
    actor,
    child: Child,
    finding: str,
    *,
    source: str,
    source_ref: int | None = None,
    urgency: str = policy.URGENCY_CONCERN,
    safety: bool = False,
    report: str = "",
    on: dt.date | None = None,
) -> Concern:
    """Open a concern on a child: the village's director owns it, it is due by the policy's
    days for its urgency, and the child is classified again with it as the reason (the care
    level and the visit schedule follow). `report`, when given, says why it must be reported
    at once (强制报告): the child is flagged until the report made is recorded."""
    finding = (finding or "").strip()
    if not finding:
        raise Invalid({"finding": _("Say what was found.")})
    on = on or today()
    concern = Concern.objects.create(
        child=child,
        source=source,
        source_ref=source_ref,
        finding=finding[:500],
        urgency=urgency,
        safety=safety,
        owner=default_owner(child),
        opened_on=on,
        opened_by=actor if getattr(actor, "pk", None) else None,
        due_on=policy.due_on(urgency, on),
        must_report=bool(report),
        report_reason=(report or "")[:300],
    )
    _event(actor, concern, "open", "", finding[:500])
    changes = _update_child(actor, child, finding)
    log_action(
        actor,
        "children.concern.opened",
        concern,
        {
            "child": child.pk,
            "source": source,
            "source_ref": source_ref,
            "urgency": urgency,
            "safety": safety,
            "report": bool(report),
            "changes": changes,
        },
        area_code=child.area.code,
    )
    child.refresh_from_db()
    return concern


def _text(value) -> str:
    return (value or "").strip()


def _required_note(note, missing) -> str:
    """The step's note, stripped; none is refused with `missing` (a field error)."""
    note = _text(note)
    if not note:
        raise Invalid({"note": missing})
    return note


def _lock(actor, concern: Concern, step: str, based_on) -> Concern:
    """The concern's row, locked, after the policy's and the jurisdiction's checks."""
    locked = (
        Concern.objects.select_for_update(of=("self",))
        .select_related("child", "child__area")
        .get(pk=concern.pk)
    )
    if not Concern.objects.editable_by(actor).filter(pk=locked.pk).exists():
        raise Refused
    if not policy.may_take(step, locked.state, getattr(actor, "role", "")):
        _states, roles = policy.STEPS[step]
        if getattr(actor, "role", "") not in roles:
            raise Refused
        raise Invalid(
            {"state": _("This step cannot be taken while the concern is %(state)s.")
             % {"state": locked.get_state_display()}}
        )  # fmt: skip
    if based_on is not None and not is_current(locked, based_on):
        raise Stale
    return locked


def _audit(actor, concern, step, from_state, data=None):
    log_action(
        actor,
        f"children.concern.{step}",
        concern,
        {"child": concern.child_id, "from": from_state, "to": concern.state, **(data or {})},
        area_code=concern.child.area.code,
    )


def _close(actor, concern: Concern, state: str, closed_by) -> None:
    """Close the concern as `state` and classify the child again with the outcome as the
    reason (the care level falls if nothing else holds it)."""
    concern.state = state
    concern.closed_on = today()
    concern.closed_by = closed_by
    concern.save()
    if state == policy.State.RESOLVED:
        note = _("concern resolved: %(outcome)s") % {"outcome": concern.outcome}
    else:
        note = _("concern referred to %(to)s: %(outcome)s") % {
            "to": concern.referred_to,
            "outcome": concern.outcome,
        }
    _update_child(actor, concern.child, note, ChildChange.Kind.RECLASSIFIED)


@transaction.atomic
def take_action(actor, concern: Concern, note: str, *, based_on=None) -> Concern:
    """Record the action taken (a visit, a call, a referral asked for …)."""
    note = _required_note(note, _("Say what was done."))
    concern = _lock(actor, concern, Step.TAKE_ACTION, based_on)
    before = concern.state
    concern.state = policy.target(Step.TAKE_ACTION, before, concern.urgency, concern.safety)
    concern.save()
    _event(actor, concern, Step.TAKE_ACTION, before, note)
    _audit(actor, concern, Step.TAKE_ACTION, before)
    return concern


def _refuse_unreported(concern):
    if concern.report_pending:
        raise Invalid(
            {"outcome": _("This concern must be reported at once: record the report made "
                          "(to whom, when) before closing it.")}
        )  # fmt: skip


def _propose_or_close(actor, concern, step, state, note):
    before = concern.state
    if concern.needs_confirmation:
        concern.state = policy.State.AWAITING
        concern.proposed_state, concern.proposed_on, concern.proposed_by = state, today(), actor
        concern.save()
        _event(actor, concern, step, before, note)
    else:
        concern.proposed_state = ""
        _close(actor, concern, state, actor)
        _event(actor, concern, step, before, note)
    _audit(actor, concern, step, before, {"referred_to": concern.referred_to})
    return concern


@transaction.atomic
def resolve(actor, concern: Concern, outcome: str, *, based_on=None) -> Concern:
    """Resolve with a written outcome. An urgent or safety concern goes to the township
    supervisor for confirmation instead of closing."""
    outcome = _text(outcome)
    if not outcome:
        raise Invalid({"outcome": _("Write the outcome before resolving.")})
    concern = _lock(actor, concern, Step.RESOLVE, based_on)
    _refuse_unreported(concern)
    concern.outcome = outcome
    return _propose_or_close(actor, concern, Step.RESOLVE, policy.State.RESOLVED, outcome)


@transaction.atomic
def refer(actor, concern: Concern, referred_to: str, outcome: str, *, based_on=None) -> Concern:
    """Refer to another body (police, school, health, a court …) with the outcome so far.
    An urgent or safety referral needs the supervisor's confirmation, like a resolution."""
    referred_to, outcome = _text(referred_to), _text(outcome)
    errors = {}
    if not referred_to:
        errors["referred_to"] = _("Say to whom it is referred.")
    if not outcome:
        errors["outcome"] = _("Write the outcome so far before referring.")
    refuse_invalid(errors)
    concern = _lock(actor, concern, Step.REFER, based_on)
    _refuse_unreported(concern)
    concern.outcome, concern.referred_to = outcome, referred_to[:200]
    return _propose_or_close(actor, concern, Step.REFER, policy.State.REFERRED, outcome)


@transaction.atomic
def confirm(actor, concern: Concern, note: str = "", *, based_on=None) -> Concern:
    """The township supervisor confirms a proposed closing: the concern closes as proposed.
    The one who proposed it cannot confirm it."""
    concern = _lock(actor, concern, Step.CONFIRM, based_on)
    if concern.proposed_by_id == getattr(actor, "pk", None):
        raise Invalid({"note": _("You proposed this closing: another supervisor confirms it.")})
    before = concern.state
    concern.confirmed_by = actor
    _close(actor, concern, concern.proposed_state or policy.State.RESOLVED, concern.proposed_by)
    _event(actor, concern, Step.CONFIRM, before, _text(note))
    _audit(actor, concern, Step.CONFIRM, before)
    return concern


@transaction.atomic
def send_back(actor, concern: Concern, note: str, *, based_on=None) -> Concern:
    """The supervisor sends a proposed closing back, saying what is still to be done."""
    note = _required_note(note, _("Say what is still to be done."))
    concern = _lock(actor, concern, Step.SEND_BACK, based_on)
    before = concern.state
    concern.state = policy.State.ACTION_TAKEN
    concern.proposed_state, concern.proposed_on, concern.proposed_by = "", None, None
    concern.save()
    _event(actor, concern, Step.SEND_BACK, before, note)
    _audit(actor, concern, Step.SEND_BACK, before)
    return concern


@transaction.atomic
def record_report_made(
    actor,
    concern: Concern,
    reported_to: str,
    reported_on: dt.date | None,
    reference: str = "",
    *,
    based_on=None,
) -> Concern:
    """Record the report made (to whom, when, the case reference): the only way the child's
    "report at once" flag is cleared."""
    reported_to = _text(reported_to)
    errors = {}
    if not reported_to:
        errors["reported_to"] = _("Say to whom it was reported (police, civil affairs …).")
    if reported_on is None:
        errors["reported_on"] = _("Say when it was reported.")
    elif reported_on > today():
        errors["reported_on"] = _("The date cannot be in the future.")
    refuse_invalid(errors)
    concern = _lock(actor, concern, Step.RECORD_REPORT, based_on)
    if not concern.must_report:
        raise Invalid({"reported_to": _("This concern is not one to report at once.")})
    if concern.reported_on is not None:
        raise Invalid({"reported_to": _("The report made is already recorded.")})
    if reported_on < concern.opened_on:
        raise Invalid({"reported_on": _("The report cannot precede the concern.")})
    concern.reported_to, concern.reported_on = reported_to[:200], reported_on
    concern.report_reference = _text(reference)[:100]
    concern.save()
    note = _("reported to %(to)s on %(day)s") % {"to": reported_to, "day": reported_on}
    _event(actor, concern, Step.RECORD_REPORT, concern.state, note)
    _update_child(actor, concern.child, note)
    _audit(actor, concern, Step.RECORD_REPORT, concern.state, {"reported_on": str(reported_on)})
    return concern


def owner_choices(concern: Concern):
    """Who may own the concern: active accounts of working roles that see the child."""
    code = concern.child.area.code
    prefixes = [code, code[:9] + "000", code[:6] + "000000"]
    return User.objects.filter(
        is_active=True,
        role__in=sorted(policy.WORKERS),
        area__code__in=[p.ljust(12, "0") for p in prefixes],
    ).order_by("role", "username")


@transaction.atomic
def reassign(actor, concern: Concern, owner, *, based_on=None) -> Concern:
    """An officer gives the concern to another person who works the child's case."""
    concern = _lock(actor, concern, Step.REASSIGN, based_on)
    if owner is None or not owner_choices(concern).filter(pk=owner.pk).exists():
        raise Invalid({"owner": _("Choose someone who works this child's case.")})
    before = concern.owner
    concern.owner = owner
    concern.save()
    note = _("owner: %(before)s → %(after)s") % {"before": before or "—", "after": owner}
    _event(actor, concern, Step.REASSIGN, concern.state, note)
    _audit(actor, concern, Step.REASSIGN, concern.state, {"owner": owner.pk})
    return concern


def follow_transfer(actor, child: Child, from_area) -> int:
    """A child moved to another village: its open concerns owned by a director of the old
    village go to the new village's director (kept in each concern's events). Returns how
    many changed owner."""
    moved = 0
    new_owner = default_owner(child)
    for concern in child.concerns.open().select_related("owner").select_for_update(of=("self",)):
        owner = concern.owner
        if owner is not None and not (
            owner.role == Role.DIRECTOR and owner.area_id == from_area.pk
        ):
            continue  # an officer above both villages keeps it
        concern.owner = new_owner
        concern.save()
        note = _("owner: %(before)s → %(after)s") % {
            "before": owner or "—",
            "after": new_owner or "—",
        }
        _event(actor, concern, Step.REASSIGN, concern.state, note)
        moved += 1
    return moved


def allowed_steps(user, concern: Concern) -> list[str]:
    """The steps the user may take on the concern now (for the page's buttons)."""
    role = getattr(user, "role", "")
    steps = [s for s in policy.STEPS if policy.may_take(s, concern.state, role)]
    if not concern.must_report or concern.reported_on is not None:
        steps = [s for s in steps if s != Step.RECORD_REPORT]
    if concern.proposed_by_id == getattr(user, "pk", None):
        steps = [s for s in steps if s != Step.CONFIRM]
    return steps


def escalation_due(on: dt.date):
    """Open concerns past their due date and not yet escalated (care_daily tells the
    township supervisors, once per concern)."""
    return (
        Concern.objects.overdue(on)
        .filter(escalated_on__isnull=True, child__status=Status.ACTIVE)
        .select_related("child", "child__area", "owner")
    )


def mark_escalated(concerns, on: dt.date) -> int:
    """Remember that these concerns were escalated (so they are escalated once)."""
    ids = [c.pk for c in concerns]
    n = Concern.objects.filter(pk__in=ids, escalated_on__isnull=True).update(escalated_on=on)
    for concern in concerns:
        log_action(
            None,
            "children.concern.escalated",
            concern,
            {"child": concern.child_id, "due_on": concern.due_on.isoformat()},
            area_code=concern.child.area.code,
        )
    return n
