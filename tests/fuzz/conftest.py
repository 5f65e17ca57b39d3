"""The fuzzing pass's world: the small demo county, seeded once for the session (the
seed is fixed), so every operation is fuzzed against real villages, children and work.
Each test (one operation, one persona) runs in a transaction that is rolled back."""

import pytest

# The demo seed's own fixed seed: the same county every run.
DEMO_SEED = 341623


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database with the small demo county in it (committed once per session)."""
    from demo.seed import seed_demo

    with django_db_blocker.unblock():
        seed_demo("small", seed=DEMO_SEED)
