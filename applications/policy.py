"""The rules of applications for benefits, in one place: the states, the steps and who may
take each, the separation of duties, the programmes one may apply for, the statutory time
limits and where an overdue step escalates. The services enforce them; pages and tests read
them (docs/rules.md §7, docs/definitions.md).

The procedure (民发〔2019〕62号 and local practice): the application (申请) is opened for the
child by the village's director or a township officer; the township checks it (查验, mainly by
cross-checking departments' records) within 10 working days; the county decides (确认) within
5 working days; coverage starts the month after the decision. There is no public notice step
(不设置公示环节), so nothing here lists beneficiaries publicly. When the child's situation
changes, a stop (终止) is opened and, once the county confirms it, payment ends from the next
month.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from areas.codes import Level
from people.roles import Role


class State(models.TextChoices):
    APPLIED = "applied", _("awaiting the township's check")
    CHECKED = "checked", _("awaiting the county's decision")
    IN_EFFECT = "in_effect", _("measure in effect")
    # "refused" alone is already a count elsewhere (被拒绝次数): an application's is its own.
    REFUSED = "refused", pgettext_lazy("application", "refused")
    WITHDRAWN = "withdrawn", _("withdrawn")
    STOP_OPENED = "stop_opened", _("stop awaiting the county's decision")
    STOPPED = "stopped", _("stopped")


class Step(models.TextChoices):
    """What someone does to an application (its history's entries)."""

    OPEN = "open", _("applied")
    ATTACH = "attach", _("document attached")
    CHECK = "check", _("checked by the township")
    DECIDE = "decide", _("decided by the county")
    WITHDRAW = "withdraw", _("withdrawn")
    OPEN_STOP = "open_stop", _("stop opened")
    DECIDE_STOP = "decide_stop", _("stop decided by the county")
    ESCALATE = "escalate", _("past its deadline: escalated")


class StopReason(models.TextChoices):
    """Changes that end eligibility (docs/definitions.md §3, §4; docs/rules.md §1.6)."""

    TURNED_18 = "turned_18", _("turned 18 and not in full-time school")
    PARENT_RELEASED = "parent_released", _("a parent released or back in contact")
    ADOPTED = "adopted", _("adopted")
    CLOSED = "closed", _("the child's record was closed")
    OTHER = "other", _("other")


TOWNSHIP_ROLES = frozenset({Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_STAFF})
OPENING_ROLES = frozenset({Role.DIRECTOR, *TOWNSHIP_ROLES})
COUNTY_ROLES = frozenset({Role.COUNTY_OFFICER})

# step → (the states it may be taken in, the roles that may take it). One table: the
# services, the pages' buttons and the permission tests all read it.
STEPS = {
    Step.OPEN: (frozenset({None}), OPENING_ROLES),
    Step.ATTACH: (
        frozenset({State.APPLIED, State.CHECKED, State.STOP_OPENED}),
        OPENING_ROLES | COUNTY_ROLES,
    ),
    Step.CHECK: (frozenset({State.APPLIED}), TOWNSHIP_ROLES),
    Step.DECIDE: (frozenset({State.CHECKED}), COUNTY_ROLES),
    # The family withdraws; whoever may apply records it.
    Step.WITHDRAW: (frozenset({State.APPLIED, State.CHECKED}), OPENING_ROLES),
    Step.OPEN_STOP: (frozenset({State.IN_EFFECT}), OPENING_ROLES | COUNTY_ROLES),
    Step.DECIDE_STOP: (frozenset({State.STOP_OPENED}), COUNTY_ROLES),
}

# Separation of duties: a step may not be taken by the person who took any of these steps
# of the same application. The one who applies cannot check; the one who checks (or
# applied) cannot decide; the one who opened a stop cannot confirm it.
KEPT_APART = {
    Step.CHECK: frozenset({Step.OPEN}),
    Step.DECIDE: frozenset({Step.OPEN, Step.CHECK}),
    Step.DECIDE_STOP: frozenset({Step.OPEN_STOP}),
}

# Statutory time limits in working days, for the states that wait on someone: the township's
# check (查验, 10), the county's decision (确认, 5). A stop's decision has no statutory limit
# found; it is given the decision's 5 so that it cannot linger while payment goes on.
TIME_LIMITS = {
    State.APPLIED: 10,
    State.CHECKED: 5,
    State.STOP_OPENED: 5,
}
# The level that takes the step each waiting state awaits, and the level an overdue one
# escalates to (the next above): the township's late check goes to the county's officers, the
# county's late decision to the county's leaders.
WAITS_ON = {
    State.APPLIED: Level.TOWNSHIP,
    State.CHECKED: Level.COUNTY,
    State.STOP_OPENED: Level.COUNTY,
}
ESCALATES_TO = {Level.TOWNSHIP: Role.COUNTY_OFFICER, Level.COUNTY: Role.LEADER}

OPEN_STATES = frozenset(TIME_LIMITS)
FINAL_STATES = frozenset({State.REFUSED, State.WITHDRAWN, State.STOPPED})

# The programmes of the county's catalogue (relief/catalogue.py codes) one applies for through
# this procedure; the others (donations, counselling…) are recorded directly as measures.
PROGRAMMES = (
    "orphan_institution",
    "orphan_scattered",
    "fuc",
    "dibao",
    "rehabilitation",
    "temporary",
)

# Schooling that counts as full-time school past 18: coverage continues (docs/definitions.md
# §3, §4: local rules).
FULL_TIME_SCHOOLING = frozenset({"primary", "junior", "senior", "vocational"})
ADULT_AGE = 18

# Documents: scans as photos (JPEG, PNG, WebP: kept as JPEG without metadata) or PDF.
MAX_DOCUMENTS = 10
MAX_PDF_BYTES = 5 * 1024 * 1024


def may_take(step: str, state: str | None, role: str) -> bool:
    """Whether a role may take `step` of an application in `state` (None: not opened yet)."""
    states, roles = STEPS[step]
    return state in states and role in roles


def role_may_take(step: str, role: str) -> bool:
    """Whether a role may ever take `step` (in some state)."""
    return role in STEPS[step][1]


def kept_apart(step: str, earlier_actor_ids: dict, actor_id) -> bool:
    """Whether the separation of duties forbids `actor_id` to take `step`, given who took
    the earlier steps ({step: {user ids}})."""
    return any(actor_id in earlier_actor_ids.get(s, ()) for s in KEPT_APART.get(step, ()))


def may_approve(check_passed: bool | None) -> bool:
    """The county approves only an application the township's check found true; one the
    check did not confirm can only be refused (or withdrawn)."""
    return bool(check_passed)
