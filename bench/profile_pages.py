"""Where a page's CPU goes: the load test's requests measured in-process, one by one.

Run with `.venv/bin/python bench/profile_pages.py [--database PATH | --postgres] …`.
For each request type of the load test (bench/load: the director's worklist and the rounds
inbox it loads, a child's page and its relief section, the visit form and its POST, the
township dashboard, /healthz as the trivial view), plus the director's roster (/children/)
and the children API's first page (as a director and as the county officer), it prints the
SQL queries of one request, the median wall time and CPU time (time.process_time) per
request, the CPU inside the database driver's execute and outside it, the garbage
collector's time, and the Python function calls per request. --profile writes a cProfile of
each page and prints the top functions by cumulative time; --templates the time each
template takes (inclusive and its own); --queries the page's queries grouped by statement
(N+1 shows as a count); --clock the time inside named functions; --pyinstrument a sampling
profile's tree.

It seeds the county demo (migrate, seed_demo --scale county, refresh_stats, ANALYZE) into a
temporary SQLite database, or works on a copy of one kept earlier (--database, e.g. made
with --keep), so that the visit saves of one run do not change the next run's data; or on
PostgreSQL (--postgres, database shouhu_profile, seeded unless --reuse-db).

On a shared machine the times of two runs differ by a third: compare code A and code B run
alternately, and the function calls, which do not depend on the machine's load.
See bench/README.md, "Where a page's CPU goes (issue 18, point 4)".
"""

import argparse
import contextlib
import cProfile
import gc
import io
import pstats
import re
import shutil
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    add_pg_url,
    database_url,
    django_env,
    heading,
    migrate_and_seed,
    plain_static_files,
    recreate_database,
    run_manage,
    setup_django,
    temporary_sqlite,
    text_table,
)


@dataclass
class Page:
    """One request type: who asks what, and what was measured."""

    name: str
    user: str  # a demo username, or "" for an anonymous client
    path: str
    method: str = "GET"
    headers: dict = field(default_factory=dict)
    # For a POST: the form data of the n-th request (a function of n and the form's token).
    form: object = None
    # For requests about a child: the children to go through, one per request.
    child_pks: list = field(default_factory=list)
    expect: int = 200
    token: str = ""  # a POST's CSRF token, read from its form (prepare)
    status: int = 0
    queries: int = 0
    wall_ms: list = field(default_factory=list)
    cpu_ms: list = field(default_factory=list)
    sql_ms: list = field(default_factory=list)  # CPU inside the driver's execute
    gc_ms: float = 0.0  # CPU in the garbage collector, all timed requests
    gc_full: int = 0  # full (generation 2) collections during the timed requests
    calls: float = 0.0  # Python function calls per request (count_calls)

    @property
    def python_ms(self) -> list:
        """CPU outside the database driver's execute: the figure gunicorn's CPU compares to."""
        return [cpu - sql for cpu, sql in zip(self.cpu_ms, self.sql_ms, strict=True)]

    def path_for(self, n: int) -> str:
        """The path of the n-th request (children in turn where the path has {child})."""
        if not self.child_pks:
            return self.path
        return self.path.format(child=self.child_pks[n % len(self.child_pks)])


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a seeded SQLite database (one kept by --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--warmups", type=int, default=5, help="untimed requests per page")
    parser.add_argument("--rounds", type=int, default=1, help="measure every page this often")
    parser.add_argument("--pages", help="only pages whose name contains one of these words")
    parser.add_argument("--profile", action="store_true", help="cProfile each page")
    parser.add_argument("--top", type=int, default=30, help="functions shown per profile")
    parser.add_argument("--out", help="folder for the .pstats files (default: a temporary one)")
    parser.add_argument("--templates", action="store_true", help="time spent per template")
    parser.add_argument("--queries", action="store_true", help="a page's queries, grouped")
    parser.add_argument(
        "--clock",
        help="time inside these functions, comma-separated dotted paths "
        "(e.g. rest_framework.serializers.Serializer.data,core.audit.log_action)",
    )
    parser.add_argument(
        "--pyinstrument", action="store_true", help="also a pyinstrument tree per page"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help=f"measure on PostgreSQL (database {PG_DATABASE} on the --pg-url server), not SQLite",
    )
    parser.add_argument(
        "--no-analyze", action="store_true", help="SQLite: leave the planner's statistics out"
    )
    add_pg_url(parser, f"with --postgres; the database {PG_DATABASE} is used")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help=f"with --postgres: {PG_DATABASE} as an earlier run left it, not seeded again",
    )
    args = parser.parse_args()
    if not args.postgres:
        args.pg_url = None
    if args.requests < 1 or args.warmups < 0 or args.rounds < 1:
        parser.error("--requests and --rounds must be at least 1, --warmups at least 0")
    return args


PG_DATABASE = "shouhu_profile"  # with --postgres: dropped and made again unless --reuse-db


def visit_form(n: int, token: str) -> dict:
    """A valid visit record of today, every aspect fine (as bench/load/client.py sends)."""
    form = {
        "csrfmiddlewaretoken": token,
        "based_on": "",
        "visited_on": time.strftime("%Y-%m-%d"),
        "mode": ["home", "home", "call", "school"][n % 4],
        "met_child": "on",
        "problems": "",
        "actions": "",
        "follow_up_on": "",
    }
    if n % 2:
        form["met_caregiver"] = "on"
    for aspect in ["living", "safety", "health", "study", "psychological", "guardianship"]:
        form[aspect] = "fine"
        form[f"{aspect}_note"] = ""
    return form


def page_plan() -> list[Page]:
    """The load test's request types, then the director's roster and the children API."""
    from children.models import Child
    from people.models import User

    director = User.objects.select_related("area").get(username="director")
    township = User.objects.select_related("area").get(username="township")
    pks = list(
        Child.objects.visible_to(director).active().order_by("pk").values_list("pk", flat=True)
    )
    if not pks:
        raise SystemExit("the director has no active child: is the demo seeded?")
    hx = {"HX-Request": "true"}
    api = {"Accept": "application/json"}
    return [
        Page("director worklist", "director", "/care/worklist/"),
        Page("+ rounds inbox (htmx)", "director", "/rounds/inbox/", headers=hx),
        Page("child page", "director", "/children/{child}/", child_pks=pks),
        Page(
            "+ relief section (htmx)",
            "director",
            "/relief/children/{child}/",
            headers=hx,
            child_pks=pks,
        ),
        Page("visit form", "director", "/care/children/{child}/visit/", child_pks=pks),
        Page(
            "visit save (POST)",
            "director",
            "/care/children/{child}/visit/",
            method="POST",
            form=visit_form,
            child_pks=pks,
            expect=302,
        ),
        Page("township dashboard", "township", f"/dashboard/{township.area.code}/"),
        Page("director roster", "director", "/children/"),
        Page("children API (director)", "director", "/api/v1/children/", headers=api),
        Page("children API (county)", "county", "/api/v1/children/", headers=api),
        Page("trivial view /healthz", "", "/healthz"),
    ]


CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def one_request(client, page: Page, n: int):
    """Send the n-th request of `page` (a POST with the token `prepare` read once)."""
    path = page.path_for(n)
    if page.method == "POST":
        return client.post(path, page.form(n, page.token), headers=page.headers)
    return client.get(path, headers=page.headers)


def prepare(client, page: Page) -> None:
    """For a POST, the form's CSRF token (read once from the page, as a browser would)."""
    if page.method == "POST":
        answer = client.get(page.path_for(0))
        found = CSRF_INPUT.search(answer.content)
        if found is None:
            raise SystemExit(f"{page.name}: no CSRF token in {page.path_for(0)}")
        page.token = found.group(1).decode()


def check(page: Page, response) -> None:
    """Stop at an answer the load test would count as an error."""
    if response.status_code != page.expect:
        exc = getattr(response, "exc_info", None)
        detail = repr(exc[1]) if exc else response.content[:300]
        raise SystemExit(
            f"{page.name}: HTTP {response.status_code}, expected {page.expect}: {detail}"
        )


def count_queries(client, page: Page, n: int) -> tuple[int, list[dict]]:
    """The SQL statements of the n-th request (Django's captured queries: sql, time)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = one_request(client, page, n)
    check(page, response)
    page.status = response.status_code
    return len(captured.captured_queries), captured.captured_queries


class SqlClock:
    """CPU time spent inside the database driver's execute (a connection execute_wrapper).

    On SQLite that is most of the database's work, done in this process; on PostgreSQL it
    is the client's share only (the server's work is in its own processes)."""

    def __init__(self):
        self.spent = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.process_time()
        try:
            return execute(sql, params, many, context)
        finally:
            self.spent += time.process_time() - start


class GcClock:
    """Process time spent in the garbage collector, and its collections by generation."""

    def __init__(self):
        self.spent = 0.0
        self.collections = Counter()
        self._start = None

    def __call__(self, phase, info):
        if phase == "start":
            self._start = time.process_time()
        elif self._start is not None:
            self.spent += time.process_time() - self._start
            self.collections[info["generation"]] += 1
            self._start = None


def measure(client, page: Page, requests: int, warmups: int, offset: int) -> None:
    """Warm up, count one request's queries, then time `requests` requests (wall and CPU,
    and the CPU inside the database driver)."""
    from django.db import connection

    for n in range(warmups):
        check(page, one_request(client, page, offset + n))
    page.queries, _ = count_queries(client, page, offset + warmups)
    gc.collect()  # garbage left by the previous page is not collected during this one
    clock, collector = SqlClock(), GcClock()
    gc.callbacks.append(collector)
    try:
        with connection.execute_wrapper(clock):
            for n in range(requests):
                clock.spent = 0.0
                wall, cpu = time.perf_counter(), time.process_time()
                response = one_request(client, page, offset + warmups + 1 + n)
                page.cpu_ms.append((time.process_time() - cpu) * 1000)
                page.wall_ms.append((time.perf_counter() - wall) * 1000)
                page.sql_ms.append(clock.spent * 1000)
                check(page, response)
    finally:
        gc.callbacks.remove(collector)
    page.gc_ms += collector.spent * 1000
    page.gc_full += collector.collections[2]
    page.calls = count_calls(client, page, CALL_SAMPLES, offset + warmups + 1 + requests)


# Requests whose Python function calls are counted (after the timed ones).
CALL_SAMPLES = 5


def count_calls(client, page: Page, requests: int, offset: int) -> float:
    """Python function calls per request (cProfile's count, C functions left out): unlike
    time, the same from run to run whatever else the machine does, so a change's effect
    shows even when the timings drown it."""
    profiler = cProfile.Profile(builtins=False)
    profiler.enable()
    for n in range(requests):
        one_request(client, page, offset + n)
    profiler.disable()
    return pstats.Stats(profiler).total_calls / requests


def profile(client, page: Page, requests: int, offset: int, out: Path, top: int) -> None:
    """cProfile `requests` requests; write the stats and print the top cumulative functions
    (and how much of the time the SQLite driver took)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(requests):
        one_request(client, page, offset + n)
    profiler.disable()
    slug = re.sub(r"[^a-z0-9]+", "-", page.name.lower()).strip("-")
    target = out / f"{slug}.pstats"
    profiler.dump_stats(target)
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    # The driver's own (C) functions: "{function SQLiteCursorWrapper.execute …}" (Django's
    # wrapper calls sqlite3.Cursor.execute), "<method 'fetchmany' of 'sqlite3.Cursor' …>",
    # psycopg's "<method 'execute' of 'psycopg…'>" and the like.
    driver = sum(
        row[2]
        for (filename, _line, name), row in stats.stats.items()
        if filename == "~" and ("sqlite3" in name or "CursorWrapper" in name or "psycopg" in name)
    )
    print(
        f"\n== {page.name} ({page.method} {page.path}): {requests} requests, "
        f"{total / requests * 1000:.1f} ms each under the profiler, of which the database "
        f"driver {driver / requests * 1000:.1f} ms; {target}"
    )
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(top)
    print(trim_stats(buffer.getvalue()))


def trim_stats(text: str) -> str:
    """pstats' table without its preamble, paths shortened to the project or package."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    kept = "\n".join(lines[start:])
    kept = re.sub(r"\S*/site-packages/", "", kept)
    return re.sub(re.escape(str(Path(__file__).resolve().parent.parent)) + "/", "", kept)


def pyinstrument_tree(client, page: Page, requests: int, offset: int) -> None:
    """A pyinstrument call tree of `requests` requests (if pyinstrument is installed)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("--pyinstrument needs `pip install pyinstrument`") from None
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for n in range(requests):
        one_request(client, page, offset + n)
    profiler.stop()
    print(f"\n== pyinstrument: {page.name}")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


class TemplateClock:
    """Time spent rendering each template (process time), inclusive of what it includes or
    extends and its own share, by patching django.template.base.Template._render."""

    def __init__(self):
        self.inclusive = Counter()
        self.own = Counter()
        self.calls = Counter()
        self.stack = []

    def install(self):
        from django.template.base import Template

        original = Template._render
        clock = self

        def timed_render(template, context):
            name = template.origin.template_name or template.name or "?"
            clock.stack.append(0.0)  # time of the templates this one renders
            start = time.process_time()
            try:
                return original(template, context)
            finally:
                spent = time.process_time() - start
                inner = clock.stack.pop()
                clock.inclusive[name] += spent
                clock.own[name] += spent - inner
                clock.calls[name] += 1
                if clock.stack:
                    clock.stack[-1] += spent

        Template._render = timed_render
        self.uninstall = lambda: setattr(Template, "_render", original)

    def report(self, page: Page, requests: int) -> None:
        print(f"\n== templates of {page.name} (ms per request: inclusive, own; renders)")
        for name, own in self.own.most_common(15):
            print(
                f"  {self.inclusive[name] / requests * 1000:7.2f} {own / requests * 1000:7.2f}"
                f"  {self.calls[name] / requests:5.1f}  {name}"
            )


class FunctionClock:
    """Process time spent inside named functions (inclusive), by wrapping them: cheaper
    and closer to the real figures than a profiler, which slows every call it counts."""

    def __init__(self, names: list[str]):
        self.names = names
        self.spent = Counter()
        self.calls = Counter()
        self.restore = []

    def install(self):
        import functools
        import importlib

        for name in self.names:
            owner, attribute = self._owner(importlib, name)
            original = owner.__dict__[attribute]
            kind = type(original) if isinstance(original, classmethod | staticmethod) else None
            if isinstance(original, property):
                function = original.fget
            else:
                function = original.__func__ if kind else original

            @functools.wraps(function)
            def timed(*args, __function=function, __name=name, **kwargs):
                start = time.process_time()
                try:
                    return __function(*args, **kwargs)
                finally:
                    self.spent[__name] += time.process_time() - start
                    self.calls[__name] += 1

            if isinstance(original, property):
                wrapped = property(timed, original.fset, original.fdel)
            else:
                wrapped = kind(timed) if kind else timed
            setattr(owner, attribute, wrapped)
            self.restore.append((owner, attribute, original))

    @staticmethod
    def _owner(importlib, name: str):
        """The module or class holding the function `name` ("pkg.module.Class.method")."""
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            try:
                owner = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            for part in parts[cut:-1]:
                owner = getattr(owner, part)
            return owner, parts[-1]
        raise SystemExit(f"--clock: no function {name}")

    def uninstall(self):
        for owner, attribute, original in reversed(self.restore):
            setattr(owner, attribute, original)

    def report(self, page: Page, requests: int) -> None:
        print(f"\n== functions of {page.name} (ms per request, inclusive; calls per request)")
        for name in self.names:
            print(
                f"  {self.spent[name] / requests * 1000:7.2f}  {self.calls[name] / requests:6.1f}"
                f"  {name}"
            )


def function_times(client, page: Page, requests: int, offset: int, names: list[str]) -> None:
    clock = FunctionClock(names)
    clock.install()
    try:
        for n in range(requests):
            one_request(client, page, offset + n)
    finally:
        clock.uninstall()
    clock.report(page, requests)


def template_times(client, page: Page, requests: int, offset: int) -> None:
    clock = TemplateClock()
    clock.install()
    try:
        for n in range(requests):
            one_request(client, page, offset + n)
    finally:
        clock.uninstall()
    clock.report(page, requests)


def query_groups(client, page: Page, offset: int) -> None:
    """The statements of one request, numbers and strings blanked, grouped and counted,
    with their wall time (ms) in this request."""
    count, statements = count_queries(client, page, offset)
    shapes, spent = Counter(), Counter()
    for query in statements:
        shape = re.sub(r"'[^']*'|\b\d+\b", "?", re.sub(r"IN \([^)]*\)", "IN (…)", query["sql"]))
        shapes[shape] += 1
        spent[shape] += float(query["time"]) * 1000
    print(f"\n== queries of {page.name}: {count}")
    for shape, times in shapes.most_common():
        print(f"  {times:3d} × {spent[shape]:6.2f} ms  {shape[:300]}")


def signed_in_clients(pages: list[Page]) -> dict:
    """A test client per user, signed in and past the second factor."""
    from django.test import Client

    from people.models import User
    from tests.personas import verify_session

    clients = {"": Client(raise_request_exception=False)}
    for username in {p.user for p in pages if p.user}:
        client = Client(raise_request_exception=False)
        user = User.objects.get(username=username)
        client.force_login(user)
        verify_session(client, user)
        clients[username] = client
    return clients


def print_table(pages: list[Page]) -> None:
    """Medians per request type; "outside SQL" is CPU minus the driver's execute."""
    trivial = next((p for p in pages if p.path == "/healthz"), None)
    base = statistics.median(trivial.python_ms) if trivial and trivial.cpu_ms else None
    headers = [
        "request",
        "status",
        "queries",
        "wall ms",
        "CPU ms",
        "in SQL",
        "outside SQL",
        "p90",
        "GC",
        "calls",
        "× trivial",
    ]
    cells = []
    for p in pages:
        python = statistics.median(p.python_ms)
        cells.append(
            [
                p.name,
                str(p.status),
                str(p.queries),
                f"{statistics.median(p.wall_ms):.1f}",
                f"{statistics.median(p.cpu_ms):.1f}",
                f"{statistics.median(p.sql_ms):.1f}",
                f"{python:.1f}",
                f"{sorted(p.python_ms)[int(0.9 * (len(p.python_ms) - 1))]:.1f}",
                f"{p.gc_ms / len(p.cpu_ms):.1f}",
                f"{p.calls / 1000:.1f}k",
                f"{python / base:.1f}" if base else "-",
            ]
        )
    text_table(headers, cells, numeric=set(range(1, len(headers))))
    load = [p for p in pages if p.name in LOAD_MIX]
    if load and base:
        # The load test's mix: each type's median weighted by its share of the requests.
        total = sum(LOAD_MIX[p.name] for p in load)
        mixed = sum(statistics.median(p.python_ms) * LOAD_MIX[p.name] for p in load) / total
        middle = weighted_median([(x, LOAD_MIX[p.name]) for p in load for x in p.python_ms])
        print(
            f"\n  the load test's mix, each type weighted by its share of the requests: CPU "
            f"outside SQL per page {mixed:.1f} ms on average, median {middle:.1f} ms; "
            f"{mixed / base:.1f}× and {middle / base:.1f}× the trivial view's {base:.2f} ms"
        )


def weighted_median(samples: list[tuple[float, float]]) -> float:
    """The median of values with weights (value, weight)."""
    ordered = sorted(samples)
    half = sum(w for _x, w in ordered) / 2
    running = 0.0
    for value, weight in ordered:
        running += weight
        if running >= half:
            return value
    return ordered[-1][0]


# Shares of the load test's page requests: its phase 1's counts in bench/README.md (a
# director's actions: 35 % worklist + inbox, 45 % child + relief, 20 % form + save; 10 of
# the 50 users reload the township dashboard).
LOAD_MIX = {
    "director worklist": 228,
    "+ rounds inbox (htmx)": 228,
    "child page": 296,
    "+ relief section (htmx)": 296,
    "visit form": 134,
    "visit save (POST)": 136,
    "township dashboard": 204,
}


def database_place(args):
    """The database to measure, as temporary_sqlite yields it: (folder, path, environment).

    SQLite: a new seeded database, or a copy of --database (the visit saves change the
    data, and each run should start from the same). PostgreSQL (--pg-url): the database
    PG_DATABASE on that server, seeded unless --reuse-db (then as the last run left it)."""
    if args.pg_url:
        return postgres_place(args)
    if args.database:
        return temporary_sqlite("shouhu-profile-")
    return temporary_sqlite("shouhu-profile-", keep=args.keep)


@contextlib.contextmanager
def postgres_place(args):
    """A temporary folder, no file, and the environment of a Django on PG_DATABASE."""
    with temporary_sqlite("shouhu-profile-") as (tmpdir, _unused, _env):
        yield tmpdir, None, django_env(database_url(args.pg_url, PG_DATABASE))


def prepare_database(args, db_path, env) -> str:
    """Seed (or copy) the database; a line saying what was done."""
    if args.pg_url and args.reuse_db:
        run_manage(env, "migrate", "--noinput", "--verbosity", "0")
        return f"  PostgreSQL database {PG_DATABASE} as an earlier run left it"
    if args.database and not args.pg_url:
        source = Path(args.database).resolve()
        if not source.is_file():
            raise SystemExit(f"no database at {source}")
        shutil.copyfile(source, db_path)
        return f"  a copy of {source}{analyze(args, db_path)}"
    if args.pg_url:
        recreate_database(args.pg_url, PG_DATABASE)
    migrate_s, seed_s, _ = migrate_and_seed(env)
    stats_s, _ = run_manage(env, "refresh_stats")
    done = f"migrate {migrate_s:.0f} s, seed {seed_s:.0f} s, refresh_stats {stats_s:.0f} s"
    if args.pg_url:
        import psycopg

        # As autovacuum would have done (bench/load/run.py does the same).
        with psycopg.connect(database_url(args.pg_url, PG_DATABASE), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        return f"  seeded PostgreSQL database {PG_DATABASE}: {done}, VACUUM ANALYZE"
    return f"  seeded {db_path}: {done}{analyze(args, db_path)}"


def analyze(args, db_path) -> str:
    """ANALYZE the SQLite database, as the load test's VACUUM ANALYZE does PostgreSQL's:
    without statistics SQLite plans a village's roster from the status index, a scan of
    the county's children (bench/README.md)."""
    if args.no_analyze:
        return ", not analyzed (--no-analyze)"
    import sqlite3

    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        conn.execute("ANALYZE")
        conn.commit()
    return ", ANALYZE"


def main() -> int:
    args = parse_args()
    with database_place(args) as (tmpdir, db_path, env):
        engine = "PostgreSQL (another process)" if args.pg_url else "SQLite in-process"
        heading("Where a page's CPU goes", f"Python {sys.version.split()[0]}, {engine}")
        print(prepare_database(args, db_path, env))
        # A limit no run reaches, still checked on every list (core.throttling): a thousand
        # roster pages of fifty children an hour would otherwise answer 429.
        env["READ_LIMIT_PER_HOUR"] = str(10**9)
        setup_django(env)
        import logging

        logging.getLogger("django.request").setLevel(logging.ERROR)
        static_root = tmpdir / "static"
        static_root.mkdir(exist_ok=True)
        plain_static_files(static_root)
        # As gunicorn's workers start: shouhu.wsgi loads pypinyin's data and freezes what is
        # loaded (gc.freeze), which makes a full collection during a request much cheaper.
        import shouhu.wsgi  # noqa: F401

        pages = page_plan()
        if args.pages:
            wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
            pages = [p for p in pages if any(w in p.name for w in wanted)]
        clients = signed_in_clients(pages)
        for page in pages:
            prepare(clients[page.user], page)
        print(
            f"  {args.rounds} round(s) of {args.requests} timed requests after {args.warmups} "
            "warm-ups per page; the director's child requests go through the village's "
            "children in turn\n"
        )
        offset = 0
        for _round in range(args.rounds):
            for page in pages:
                measure(clients[page.user], page, args.requests, args.warmups, offset)
            offset += args.requests + args.warmups + 1
        print_table(pages)

        out = Path(args.out) if args.out else tmpdir / "profiles"
        if args.profile or args.templates or args.queries or args.pyinstrument or args.clock:
            out.mkdir(parents=True, exist_ok=True)
        for page in pages:
            client = clients[page.user]
            if args.queries:
                query_groups(client, page, offset)
            if args.templates:
                template_times(client, page, args.requests, offset)
            if args.clock:
                names = [n.strip() for n in args.clock.split(",") if n.strip()]
                function_times(client, page, args.requests, offset, names)
            if args.profile:
                profile(client, page, args.requests, offset, out, args.top)
            if args.pyinstrument:
                pyinstrument_tree(client, page, args.requests, offset)
        if args.profile and not args.out:
            print(f"\n(profiles in {out}, removed at the end; use --out to keep them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
