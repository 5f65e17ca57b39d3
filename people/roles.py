"""Roles, the level each is bound to, and what each may do. One place for these rules."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.codes import Level


class Role(models.TextChoices):
    COUNTY_OFFICER = "county_officer", _("county officer")
    TOWNSHIP_SUPERVISOR = "township_supervisor", _("township child welfare supervisor")
    TOWNSHIP_STAFF = "township_staff", _("township civil-affairs staff")
    DIRECTOR = "director", _("village child protection director")
    SOCIAL_WORKER = "social_worker", _("social worker")
    VOLUNTEER = "volunteer", _("volunteer")
    LEADER = "leader", _("leader (read-only)")


# The levels an account of each role may be bound to.
ROLE_LEVELS = {
    Role.COUNTY_OFFICER: {Level.COUNTY},
    Role.TOWNSHIP_SUPERVISOR: {Level.TOWNSHIP},
    Role.TOWNSHIP_STAFF: {Level.TOWNSHIP},
    Role.DIRECTOR: {Level.VILLAGE},
    Role.SOCIAL_WORKER: set(Level.values),
    Role.VOLUNTEER: set(Level.values),
    Role.LEADER: {Level.NATION, Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP},
}

# Roles that help the children paired with them (社会力量): they see only those children,
# and a menu of their own.
HELPER_ROLES = {Role.SOCIAL_WORKER, Role.VOLUNTEER}


def is_helper(user) -> bool:
    """A volunteer or social worker: sees only the children paired with them."""
    return bool(getattr(user, "is_authenticated", False) and user.role in HELPER_ROLES)


def is_director(user) -> bool:
    """A village child protection director: works from a phone, in one village."""
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.DIRECTOR)


# Roles that may change records inside their jurisdiction.
WRITING_ROLES = {
    Role.COUNTY_OFFICER,
    Role.TOWNSHIP_SUPERVISOR,
    Role.TOWNSHIP_STAFF,
    Role.DIRECTOR,
}

# Roles that see their area's records: those that change them, and the leader who reads
# them. Social workers and volunteers see only the children paired with them, so nothing
# by area.
AREA_ROLES = WRITING_ROLES | {Role.LEADER}

# Roles that see children's full identity numbers: those that register children, apply for
# relief and report, i.e. the writing roles; everyone else sees them masked (first 6 and
# last 4).
FULL_ID_ROLES = set(WRITING_ROLES)

# Roles that may browse the audit log (of their jurisdiction).
AUDIT_ROLES = {Role.COUNTY_OFFICER}

# Roles that may edit the responsibility matrix and service points of areas below them.
MANAGING_ROLES = {Role.COUNTY_OFFICER, Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_STAFF}

# The roles each managing role may give when it creates or edits accounts (inside its own
# jurisdiction): nobody creates an account above their own level.
ASSIGNABLE_ROLES = {
    Role.COUNTY_OFFICER: set(Role),
    Role.TOWNSHIP_SUPERVISOR: {
        Role.TOWNSHIP_STAFF,
        Role.DIRECTOR,
        Role.SOCIAL_WORKER,
        Role.VOLUNTEER,
    },
    Role.TOWNSHIP_STAFF: {Role.DIRECTOR, Role.SOCIAL_WORKER, Role.VOLUNTEER},
}

# Roles that must log in with a second factor (a one-time code) as well as their password;
# superusers too (people.twofactor). County and township roles change records of many
# villages and manage accounts; the leader reads the whole county (or more) like a county
# officer, so a stolen leader password would expose as many children's records.
# Directors, social workers and volunteers may enrol, but need not (the issue's "optional
# for directors and helpers"): they see one village or only their paired children.
TWO_FACTOR_ROLES = MANAGING_ROLES | {Role.LEADER}

# Roles that may reset another account's two-factor login (a lost phone), inside their
# jurisdiction; the reset is audited.
TWO_FACTOR_RESET_ROLES = {Role.COUNTY_OFFICER}
# Roles that list and revoke the API tokens of the accounts in their jurisdiction (everyone
# lists and revokes their own).
TOKEN_ADMIN_ROLES = {Role.COUNTY_OFFICER}


# Roles that see the background work of their county on the operations page (queue,
# running jobs, scheduled runs, failures) and may retry or dismiss a failure; a superuser
# sees every county's.
OPERATIONS_ROLES = {Role.COUNTY_OFFICER}


def may_operate(user) -> bool:
    """A superuser, or an officer whose role looks after the county's background work."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.role in OPERATIONS_ROLES)
