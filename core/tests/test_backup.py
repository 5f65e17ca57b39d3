"""Backup and restore: a backup restored into a new database holds every record, and every
identity number in it decrypts."""

import datetime as dt
import os
import shutil
import uuid
from contextlib import contextmanager
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import load_backend

from children.models import Child
from core import idnumber
from core.models import AuditEntry
from tests.personas import make_child

pytestmark = pytest.mark.django_db(transaction=True)

BORN = dt.date(2015, 3, 2)
NUMBERS = [idnumber.make("341623", BORN, seq) for seq in (131, 133, 135, 137)]


@pytest.fixture
def registry(world, county_officer):
    """Four children with identity numbers (and their parents, caregivers, history, audit)."""
    return [
        make_child(world["a1"], f"李小{i}", born=BORN, id_number=number, actor=county_officer)
        for i, number in enumerate(NUMBERS)
    ]


def counts(alias):
    return {
        model._meta.label: model._base_manager.using(alias).count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@contextmanager
def database(alias, name):
    """A second connection, to database `name` (same engine and server as the default)."""
    conf = {**connection.settings_dict, "NAME": name}
    wrapper = load_backend(conf["ENGINE"]).DatabaseWrapper(conf, alias)
    connections[alias] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[alias]


def run(*args, **options):
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def check_restored(alias, before):
    after = counts(alias)
    assert after.pop("core.AuditEntry") == before.pop("core.AuditEntry") + 1  # the restore's
    assert after == before
    restored = Child.objects.using(alias).order_by("pk")
    assert [child.id_number for child in restored] == NUMBERS
    assert AuditEntry.objects.using(alias).filter(action="core.database.restored").exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup")
def test_sqlite_backup_restores_into_a_new_database_with_every_record(registry, tmp_path):
    before = counts("default")
    file = tmp_path / "shouhu.backup.sqlite3"
    assert "Backed up" in run("backup", str(file))
    assert oct(file.stat().st_mode & 0o777) == "0o600"
    assert AuditEntry.objects.filter(action="core.database.backed_up").exists()
    with database("restored", str(tmp_path / "restored.sqlite3")):
        out = run("restore", str(file), database="restored")
        assert "Audit chain intact" in out
        check_restored("restored", before)


def test_a_backup_never_overwrites_a_file(registry, tmp_path):
    file = tmp_path / "exists"
    file.write_text("keep me")
    with pytest.raises(CommandError, match="exists already"):
        run("backup", str(file))
    assert file.read_text() == "keep me"


def test_restore_refuses_a_database_with_data_without_force(registry, tmp_path):
    file = tmp_path / "backup"
    run("backup", str(file))
    with pytest.raises(CommandError, match="not empty"):
        run("restore", str(file))


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    file = tmp_path / "junk"
    file.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CommandError):
        run("restore", str(file), force=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backup")
def test_postgresql_dump_restores_into_a_new_database_with_every_record(registry, tmp_path):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        if os.environ.get("CI") == "true":
            pytest.fail("pg_dump and pg_restore are needed in CI")
        pytest.skip("pg_dump is not installed")
    before = counts("default")
    file = tmp_path / "shouhu.dump"
    run("backup", str(file))
    name = f"shouhu_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        with database("restored", name):
            assert "Audit chain intact" in run("restore", str(file), database="restored")
            check_restored("restored", before)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
