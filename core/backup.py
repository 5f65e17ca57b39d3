"""Back up and restore the whole database: one command each (manage.py backup / restore).

SQLite: the online backup API (sqlite3.Connection.backup) copies a consistent snapshot
page by page while the server keeps running. PostgreSQL: `pg_dump -Fc` and `pg_restore
--clean --if-exists --no-owner`, with the connection settings of DATABASES and the password
passed in the environment (PGPASSWORD), never on the command line.

A backup holds identity numbers encrypted under the field-encryption keys, which are NOT in
it: keep the keys, backed up apart from the database (README: Keys and backups).
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connections

from .models import AuditEntry


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def _vendor(alias):
    return connections[alias].vendor


def _pg_env(alias) -> tuple[dict, list[str]]:
    """Environment and connection arguments for pg_dump / pg_restore from DATABASES."""
    conf = connections[alias].settings_dict
    env = {**os.environ}
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    options = conf.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if conf.get(key):
            args += [flag, str(conf[key])]
    return env, args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def backup(path: Path, alias: str = "default") -> int:
    """Write a backup of database `alias` to `path` (a new file, readable by its owner only).
    Returns its size in bytes."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} exists already; give a new file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    try:
        if _vendor(alias) == "sqlite":
            connection = connections[alias]
            connection.ensure_connection()
            target = sqlite3.connect(path)
            try:
                # One step: a consistent snapshot under a read transaction, which in WAL mode
                # does not hold up writers (in several steps, each write would restart it).
                connection.connection.backup(target)
            finally:
                target.close()
        elif _vendor(alias) == "postgresql":
            env, args = _pg_env(alias)
            name = connections[alias].settings_dict["NAME"]
            _run([_tool("pg_dump"), "-Fc", *args, "-f", str(path), name], env)
        else:
            raise BackupError(f"no backup for the {_vendor(alias)} database")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path.stat().st_size


def _holds_data(alias) -> bool:
    """Whether the database has accounts (a restore over it would replace real work)."""
    users = get_user_model()
    connection = connections[alias]
    if users._meta.db_table not in connection.introspection.table_names():
        return False
    return users.objects.using(alias).exists()


def _check_sqlite_file(path: Path) -> None:
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = source.execute("PRAGMA quick_check").fetchone()[0]
            tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master")}
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite backup: {exc}") from exc
    if ok != "ok" or "django_migrations" not in tables:
        raise BackupError(f"{path} is damaged or not a Shouhu backup ({ok})")


def restore(path: Path, alias: str = "default", *, force: bool = False) -> None:
    """Replace database `alias` with the backup at `path`. Refuses a database that holds
    accounts unless `force` (stop the service first: a restore replaces everything)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    if not force and _holds_data(alias):
        raise BackupError(
            "the database is not empty: restoring replaces everything in it. Stop the "
            "service, back it up, and run again with --force"
        )
    connection = connections[alias]
    if connection.vendor == "sqlite":
        _check_sqlite_file(path)
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()  # the next query opens the restored database afresh
    elif connection.vendor == "postgresql":
        env, args = _pg_env(alias)
        connection.close()
        command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-acl"]
        command += ["--single-transaction", "--exit-on-error", *args]
        command += ["--dbname", connection.settings_dict["NAME"], str(path)]
        _run(command, env)
    else:
        raise BackupError(f"no restore for the {connection.vendor} database")


def describe(alias: str = "default") -> str:
    """The database a command works on, for its messages (no password)."""
    conf = connections[alias].settings_dict
    if connections[alias].vendor == "sqlite":
        return f"SQLite {conf['NAME']}"
    return f"PostgreSQL {conf.get('NAME')} on {conf.get('HOST') or 'localhost'}"


def audit(alias: str, action: str, data: dict) -> None:
    """An audit entry (by the system, no user) in the database the command acted on."""
    AuditEntry(action=action, data=data).save(using=alias)
