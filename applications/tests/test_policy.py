"""The rules of applications as a table: every step for every role, the separation of
duties, the programmes and the time limits (applications.policy)."""

import pytest

from applications import policy
from applications.policy import State, Step
from people.roles import Role
from relief.catalogue import BY_CODE

R = Role
# step → the roles that may take it (every other role may not), in any state it allows.
EXPECTED = {
    Step.OPEN: {R.DIRECTOR, R.TOWNSHIP_SUPERVISOR, R.TOWNSHIP_STAFF},
    Step.ATTACH: {R.DIRECTOR, R.TOWNSHIP_SUPERVISOR, R.TOWNSHIP_STAFF, R.COUNTY_OFFICER},
    Step.CHECK: {R.TOWNSHIP_SUPERVISOR, R.TOWNSHIP_STAFF},
    Step.DECIDE: {R.COUNTY_OFFICER},
    Step.WITHDRAW: {R.DIRECTOR, R.TOWNSHIP_SUPERVISOR, R.TOWNSHIP_STAFF},
    Step.OPEN_STOP: {R.DIRECTOR, R.TOWNSHIP_SUPERVISOR, R.TOWNSHIP_STAFF, R.COUNTY_OFFICER},
    Step.DECIDE_STOP: {R.COUNTY_OFFICER},
}
# step → the states it may be taken in.
STATES = {
    Step.OPEN: {None},
    Step.ATTACH: {State.APPLIED, State.CHECKED, State.STOP_OPENED},
    Step.CHECK: {State.APPLIED},
    Step.DECIDE: {State.CHECKED},
    Step.WITHDRAW: {State.APPLIED, State.CHECKED},
    Step.OPEN_STOP: {State.IN_EFFECT},
    Step.DECIDE_STOP: {State.STOP_OPENED},
}


def test_the_table_covers_every_step():
    assert set(EXPECTED) == set(policy.STEPS) == set(Step) - {Step.ESCALATE}


@pytest.mark.parametrize("step", list(EXPECTED))
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("state", [None, *State.values])
def test_who_may_take_each_step_in_each_state(step, role, state):
    expected = role in EXPECTED[step] and state in STATES[step]
    assert policy.may_take(step, state, role) is expected


def test_leaders_and_helpers_take_no_step():
    for role in (R.LEADER, R.VOLUNTEER, R.SOCIAL_WORKER):
        assert not any(policy.role_may_take(step, role) for step in policy.STEPS)


def test_the_one_who_applies_cannot_check_and_the_one_who_checks_cannot_decide():
    actors = {Step.OPEN: {1}, Step.CHECK: {2}, Step.OPEN_STOP: {3}}
    assert policy.kept_apart(Step.CHECK, actors, 1)
    assert not policy.kept_apart(Step.CHECK, actors, 2)
    assert policy.kept_apart(Step.DECIDE, actors, 2)
    assert policy.kept_apart(Step.DECIDE, actors, 1)
    assert not policy.kept_apart(Step.DECIDE, actors, 4)
    assert policy.kept_apart(Step.DECIDE_STOP, actors, 3)
    assert not policy.kept_apart(Step.OPEN_STOP, actors, 1)


def test_time_limits_and_programmes():
    assert policy.TIME_LIMITS[State.APPLIED] == 10  # the township's check
    assert policy.TIME_LIMITS[State.CHECKED] == 5  # the county's decision
    assert set(policy.TIME_LIMITS) == set(policy.WAITS_ON)
    assert all(code in BY_CODE for code in policy.PROGRAMMES)
    assert {"fuc", "dibao", "rehabilitation", "temporary"} <= set(policy.PROGRAMMES)
    assert not policy.may_approve(False) and not policy.may_approve(None)
    assert policy.may_approve(True)
