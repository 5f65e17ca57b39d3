"""What the bench scripts share: the repository's root, a temporary SQLite database, Django's
environment and set-up, manage.py in a subprocess, a text table, and the PostgreSQL
databases they build and drop."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/shouhu"


def add_pg_url(parser, about_the_name: str) -> None:
    """The --pg-url option of the PostgreSQL benchmarks: the server, by default $PG_URL."""
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("PG_URL", DEFAULT_PG_URL),
        help=f"PostgreSQL server ({about_the_name}); default $PG_URL or {DEFAULT_PG_URL}",
    )


def django_env(database_url: str) -> dict:
    """The environment of a benchmark's Django: the given database, production-like settings."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "shouhu.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


@contextlib.contextmanager
def temporary_sqlite(prefix: str, keep: bool = False):
    """A new temporary folder, the path of a fresh SQLite database in it, and the environment
    of a Django on that database; the folder is removed afterwards unless `keep`."""
    tmpdir = Path(tempfile.mkdtemp(prefix=prefix))
    db_path = tmpdir / "bench.sqlite3"
    try:
        yield tmpdir, db_path, django_env(f"sqlite:///{db_path}")  # absolute: sqlite:////tmp/…
    finally:
        if keep:
            print(f"(kept {tmpdir})")
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)


@contextlib.contextmanager
def existing_sqlite(db_path: Path):
    """Like temporary_sqlite, for a database kept by an earlier run (`--keep`): its folder,
    its path and the environment of a Django on it; nothing is removed afterwards."""
    yield db_path.parent, db_path, django_env(f"sqlite:///{db_path}")


def setup_django(env: dict | None = None) -> None:
    """Set Django up in this process (with `env` in the environment first, if given)."""
    if env is not None:
        os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def plain_static_files(static_root: Path) -> None:
    """Serve pages without `collectstatic`: an empty STATIC_ROOT and the plain storage.

    WhiteNoise looks at STATIC_ROOT when the first request builds the middleware; an empty
    temporary one keeps the figures independent of the developer's var/static. Production
    storage is whitenoise's CompressedManifestStaticFilesStorage, which needs `collectstatic`
    before {% static %} can render. The plain storage only builds URLs, which costs about the
    same per tag, so it stands in for it here.
    """
    from django.test.utils import override_settings

    override_settings(
        STATIC_ROOT=static_root,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()


def migrate_and_seed(env: dict) -> tuple[float, float, str]:
    """Migrate a fresh database and seed the county-scale demo, in subprocesses: the wall
    times of both and what seed_demo printed."""
    migrate_s, _ = run_manage(env, "migrate", "--noinput", "--verbosity", "0")
    seed_s, seed_out = run_manage(env, "seed_demo", "--scale", "county")
    return migrate_s, seed_s, seed_out


def run_manage(env: dict, *args: str) -> tuple[float, str]:
    """Run manage.py in a subprocess; return its wall time in seconds and its output."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed (exit {result.returncode})")
    return elapsed, result.stdout.strip()


def text_table(headers, cells, numeric, groups=None) -> None:
    """Print `cells` (rows of strings) under `headers`, the `numeric` columns right-aligned;
    with `groups` (a key per row), a blank line where the key changes."""
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]

    def line(values):
        parts = [
            v.rjust(widths[i]) if i in numeric else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  " + "  ".join(parts).rstrip()

    print(line(headers))
    print("  " + "  ".join("-" * w for w in widths))
    previous = None
    for group, values in zip(groups or [None] * len(cells), cells, strict=True):
        if previous is not None and group != previous:
            print()
        previous = group
        print(line(values))


def database_url(pg_url: str, name: str) -> str:
    """The URL of database `name` on the server of `pg_url`."""
    parts = urlsplit(pg_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin_connect(pg_url: str):
    """A connection to the server's `postgres` database, for creating and dropping others."""
    import psycopg

    return psycopg.connect(database_url(pg_url, "postgres"), autocommit=True)


def recreate_database(pg_url: str, name: str) -> None:
    """Drop database `name` (sessions and all) if it is there, and create it empty."""
    with admin_connect(pg_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(pg_url: str, name: str) -> None:
    """Drop database `name` (sessions and all) if it is there."""
    with admin_connect(pg_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def heading(title: str, details: str) -> None:
    """A report's first lines: its title, then when, on how many CPUs, and `details`."""
    print(title)
    print(f"  {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, {details}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, threads: int, log: Path):
    """Start gunicorn on 127.0.0.1:`port` in its own process group, its output in `log`;
    return the process and its command line once /healthz answers."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "shouhu.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--keep-alive",
        "5",
        "--timeout",
        "60",
        "--no-control-socket",  # gunicorn 27 would otherwise take ~/.gunicorn/gunicorn.ctl
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.stderr.write(log.read_text(errors="replace"))
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return process, " ".join(command[1:])
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop(process: subprocess.Popen | None) -> None:
    """Stop gunicorn (its process group: the master and its workers)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass
