"""The life cycle of a concern (docs/rules.md §5): one small state machine —
its states, the steps between them, who may take each step, and each state's deadline.
The services in children/services/concerns.py enforce it; change the county's rules here only.

How a concern closes:

- anyone who works the child's case (the village's director, the township's supervisor and
  civil-affairs staff, a county officer) records the action taken, and resolves the concern
  with a written outcome, or refers it (to whom, and the outcome so far);
- an urgent or safety concern is closed only with the township supervisor's confirmation:
  "resolve" or "refer" then moves it to *awaiting confirmation* with the proposed outcome,
  and the supervisor of the child's township (someone other than the proposer: the one who
  checks never decides) confirms it — it closes as proposed — or sends it back;
- a concern that must be reported at once (强制报告, 未成年人保护法 Art. 11) cannot be resolved
  or referred until the report made is recorded (to whom, when); recording it clears the
  child's "report at once" flag;
- steps only move forward; read-only roles and helpers never act.
"""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from people.roles import Role


class State:
    OPEN = "open"
    ACTION_TAKEN = "action_taken"
    AWAITING = "awaiting_confirmation"
    RESOLVED = "resolved"
    REFERRED = "referred"


STATE_LABELS = {
    State.OPEN: pgettext_lazy("concern state", "open"),
    State.ACTION_TAKEN: _("action taken"),
    State.AWAITING: _("awaiting the supervisor's confirmation"),
    State.RESOLVED: _("resolved"),
    State.REFERRED: _("referred"),
}
# A concern in one of these states is open: the classification reads it, lists count it.
OPEN_STATES = (State.OPEN, State.ACTION_TAKEN, State.AWAITING)
CLOSED_STATES = (State.RESOLVED, State.REFERRED)

URGENCY_CONCERN, URGENCY_URGENT = "concern", "urgent"

# Days from opening by which a concern must be closed (resolved or referred); past it, the
# concern is overdue and escalates to the township supervisor once (care_daily).
DUE_DAYS = {URGENCY_CONCERN: 30, URGENCY_URGENT: 7}
# Days the supervisor has to confirm or send back a proposed closing.
CONFIRM_DAYS = 3
# Age bands of open concerns on the township's home page and the concerns list.
AGE_BANDS = {"under7": (0, 6), "days7to30": (7, 30), "over30": (31, None)}
AGE_BAND_LABELS = {
    "under7": _("under 7 days"),
    "days7to30": _("7–30 days"),
    "over30": _("over 30 days"),
}

WORKERS = frozenset(
    {Role.DIRECTOR, Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_STAFF, Role.COUNTY_OFFICER}
)
SUPERVISORS = frozenset({Role.TOWNSHIP_SUPERVISOR})
OFFICERS = frozenset({Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_STAFF, Role.COUNTY_OFFICER})


class Step:
    TAKE_ACTION = "take_action"
    RESOLVE = "resolve"
    REFER = "refer"
    CONFIRM = "confirm"
    SEND_BACK = "send_back"
    RECORD_REPORT = "record_report"
    REASSIGN = "reassign"


STEP_LABELS = {
    Step.TAKE_ACTION: _("Record the action taken"),
    Step.RESOLVE: _("Resolve"),
    Step.REFER: _("Refer"),
    Step.CONFIRM: _("Confirm the closing"),
    Step.SEND_BACK: _("Send back"),
    Step.RECORD_REPORT: _("Record the report made"),
    Step.REASSIGN: _("Change the owner"),
}

# step → (states it may be taken from, roles that may take it). The state it leads to is in
# `target`: resolving and referring depend on whether the concern needs confirmation.
STEPS = {
    Step.TAKE_ACTION: ((State.OPEN, State.ACTION_TAKEN), WORKERS),
    Step.RESOLVE: ((State.OPEN, State.ACTION_TAKEN), WORKERS),
    Step.REFER: ((State.OPEN, State.ACTION_TAKEN), WORKERS),
    Step.CONFIRM: ((State.AWAITING,), SUPERVISORS),
    Step.SEND_BACK: ((State.AWAITING,), SUPERVISORS),
    Step.RECORD_REPORT: (OPEN_STATES, WORKERS),
    Step.REASSIGN: (OPEN_STATES, OFFICERS),
}


def needs_confirmation(urgency: str, safety: bool) -> bool:
    """An urgent or safety concern closes only with the township supervisor's confirmation."""
    return urgency == URGENCY_URGENT or bool(safety)


def target(step: str, state: str, urgency: str, safety: bool, proposed: str = "") -> str:
    """The state a step leads to from `state`."""
    if step in (Step.RESOLVE, Step.REFER):
        if needs_confirmation(urgency, safety):
            return State.AWAITING
        return State.RESOLVED if step == Step.RESOLVE else State.REFERRED
    if step == Step.TAKE_ACTION:
        return State.ACTION_TAKEN
    if step == Step.CONFIRM:
        return proposed
    if step == Step.SEND_BACK:
        return State.ACTION_TAKEN
    return state  # recording the report or changing the owner keeps the state


def may_take(step: str, state: str, role: str) -> bool:
    """Whether a role may take a step from a state (jurisdiction is checked apart)."""
    states, roles = STEPS[step]
    return state in states and role in roles


def due_on(urgency: str, opened: dt.date) -> dt.date:
    """The day a concern opened on `opened` must be closed by."""
    return opened + dt.timedelta(days=DUE_DAYS.get(urgency, DUE_DAYS[URGENCY_CONCERN]))


def state_deadline(state: str, due: dt.date, proposed_on: dt.date | None) -> dt.date | None:
    """The deadline shown for the state: the concern's due date while it is worked on, the
    confirmation deadline while it awaits the supervisor, none once closed."""
    if state == State.AWAITING and proposed_on:
        return proposed_on + dt.timedelta(days=CONFIRM_DAYS)
    if state in OPEN_STATES:
        return due
    return None


def age_band(age_days: int) -> str:
    """The age band ("under7", "days7to30", "over30") of a concern open for `age_days` days."""
    for band, (low, high) in AGE_BANDS.items():
        if age_days >= low and (high is None or age_days <= high):
            return band
    return "under7"
