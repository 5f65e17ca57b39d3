"""Tests of a data migration: go back to the migration before it, make the old rows, migrate
forward and read what it wrote. Such tests run outside a transaction (SQLite cannot change
its schema inside one): mark them `pytest.mark.django_db(transaction=True)`."""

from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets`; the historical models there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@contextmanager
def migrated_back(targets):
    """Inside the block the database stands at `targets` (the historical models there are
    given); afterwards every app is at its latest migration again."""
    apps = migrate(targets)
    try:
        yield apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
