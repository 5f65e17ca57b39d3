"""Who may set a relief measure's status (issue 16, point 3, duties kept apart): a village
director records a measure (applied for, approved, ended), but putting it "in effect" (being
paid) is confirmed by a township or county officer, not by the one who recorded it in the
village."""

from people.roles import Role

from .models import ReliefMeasure

Status = ReliefMeasure.Status

# The statuses a measure may move to from each status. A measure goes forward only: one
# that resumes after it ended is recorded as a new measure, and the ended one stays as it was.
TRANSITIONS = {
    Status.APPLIED: {Status.APPLIED, Status.APPROVED, Status.ACTIVE, Status.ENDED},
    Status.APPROVED: {Status.APPROVED, Status.ACTIVE, Status.ENDED},
    Status.ACTIVE: {Status.ACTIVE, Status.ENDED},
    Status.ENDED: {Status.ENDED},
}

# The roles that put a measure in effect: the township's and the county's officers.
CONFIRMING_ROLES = {Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_STAFF, Role.COUNTY_OFFICER}


def may_set_status(role: str | None, before: str | None, after: str) -> bool:
    """Whether a role may move a measure from `before` (None: a new measure) to `after`.
    Keeping a measure in effect (changing its amount, say) is not putting it in effect.
    `role` None is the system itself (the demo's loader, a migration)."""
    if after == Status.ACTIVE and before != Status.ACTIVE:
        return role is None or role in CONFIRMING_ROLES
    return True


def statuses_for(role: str | None, before: str | None) -> list[str]:
    """The statuses a form offers this role for a measure now in `before` (None: new), in
    the order of the workflow."""
    allowed = TRANSITIONS[before] if before else set(Status)
    return [s for s in Status if s in allowed and may_set_status(role, before, s)]
