"""Shouhu national-scale benchmark on PostgreSQL: build the country, time the dashboards.

Run with `make bench-national` (or `.venv/bin/python bench/national.py [--scale 100 10]`).
For each scale it builds a dedicated PostgreSQL database (`shouhu_national_<scale>`) with
the real hierarchy of the shipped national division lists (every province, city, county and
township, about 12 generated villages per township), accounts, service points, and children
and visits at 1/<scale> of national size, loaded with COPY. Then it refreshes the statistics
(`stats.services.refresh_all()`, timed) and measures the server time and SQL query count of the
dashboards of each level and of a director's worklist, in-process with django.test.Client.
Figures, not pass/fail: each is marked OK or SLOW against its target. See bench/README.md.
"""

import argparse
import datetime as dt
import gc
import json
import math
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from common import (
    ROOT,
    add_pg_url,
    admin_connect,
    database_url,
    django_env,
    drop_database,
    heading,
    plain_static_files,
    recreate_database,
    setup_django,
    text_table,
)

DB_PREFIX = "shouhu_national_"

# -- what is built -----------------------------------------------------------------------
NATIONAL_CHILDREN = 7_000_000  # registered children of the whole country at full scale
VILLAGES_PER_TOWNSHIP = (8, 16)  # inclusive range: about 12 on average (China: ~490,000)
# The reference county holds the measured county, township and village. It is filled at full
# density at every scale (the demo county's 25,000 children), so that its pages compare like
# with like: only the rest of the country grows from one scale to the next.
REFERENCE_COUNTY = "341623"  # 利辛县, Anhui (the demo county)
REFERENCE_TOWNSHIP = "341623100"  # 城关镇
REFERENCE_CHILDREN = 25_000
DIRECTOR_RATE = 0.98  # villages with a director's account
HOME_RATE = 0.85  # villages with a children's home
POST_FILLED_RATE = 0.97  # responsibility posts with a holder
CLOSED_RATE = 0.03  # children whose record was closed (they keep their visits)
# Visits. The registry went live HISTORY_YEARS ago; children were registered over its first
# REGISTRATION_DAYS (or after birth). Special attention: a visit in a calendar month with
# probability SPECIAL_MONTHLY; ordinary: one visit per year of registration with probability
# ORDINARY_YEARLY plus an extra contact (a call or a school visit) with ORDINARY_EXTRA. A
# visit finds a concern with CONCERN_RATE (follow-up due in 14 days, usually made).
HISTORY_YEARS = 6
REGISTRATION_DAYS = 540
SPECIAL_MONTHLY = 0.88
ORDINARY_YEARLY = 0.92
ORDINARY_EXTRA = 0.35
CONCERN_RATE = 0.025
URGENT_RATE = 0.002
FOLLOW_UP_MADE = 0.85
CHUNK = 20_000  # children generated and copied per round
SEED = 20261129

# Rough relative weights of registered children per province (left-behind children and children
# in difficulty concentrate in the central and western provinces that send migrant workers).
# Invented from the published order of magnitude, not official figures.
PROVINCE_WEIGHT = {
    "11": 0.2, "12": 0.3, "31": 0.2, "32": 0.6, "33": 0.5, "44": 0.8, "35": 0.8, "37": 1.0,
    "13": 1.0, "14": 1.0, "15": 0.8, "21": 0.6, "22": 0.7, "23": 0.7, "34": 2.2, "36": 2.0,
    "41": 2.0, "42": 2.0, "43": 2.2, "45": 1.6, "46": 0.8, "50": 2.0, "51": 2.4, "52": 2.2,
    "53": 1.4, "54": 0.6, "61": 1.2, "62": 1.2, "63": 0.8, "64": 0.9, "65": 0.8,
}  # fmt: skip
TOWNSHIP_KIND_WEIGHT = {"street": 0.25, "town": 1.0, "township": 1.2, "other": 0.5}
COMMUNITY_WEIGHT = 0.4  # a community (residents' committee) against a village committee

# -- what is measured ----------------------------------------------------------------------
DASHBOARD_TARGET_MS = 1000.0  # median, at 1/10 scale
WORKLIST_TARGET_MS = 50.0  # median, at 1/10 scale
GROWTH_NOISE = 1.25  # a median growing more than this from 1/100 to 1/10 is called growth
SLOW_PAGE_S = 2.0  # a page slower than this on its first request is timed fewer times …
PAGE_BUDGET_S = 60.0  # … as many as fit in this many seconds (at least 3)


# ==========================================================================================
# Orchestration (no Django in this process): databases, migrate, workers, tables.
# ==========================================================================================


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=int,
        nargs="+",
        default=[100, 10],
        help="denominators of national scale to build and measure, smallest data first "
        "(default: 100 10, i.e. 1/100 then 1/10; 1 is full scale)",
    )
    add_pg_url(parser, "the database name is replaced")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure databases built by an earlier run instead of building them again "
        "(migrate still runs, so new apps get their tables)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="approved quarterly rounds (every county, every village's return and snapshot) "
        "before the current quarter (default 4: a year of rounds; 0: none)",
    )
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmups", type=int, default=3, help="untimed requests per page")
    parser.add_argument(
        "--no-refresh",
        action="store_true",
        help="do not run refresh_all() where an earlier run left village rows (with "
        "--reuse): measure those; a database without them is still refreshed",
    )
    parser.add_argument(
        "--recount-workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="after refresh_all(), time the nightly recount in chunks (stats.tasks."
        "refresh_stats) with this many `db_worker` processes, each count in turn "
        "(default: 1 2; 0: not measured)",
    )
    parser.add_argument("--drop", action="store_true", help="drop the databases at the end")
    parser.add_argument("--worker", choices=["build", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if any(n < 0 for n in args.recount_workers):
        parser.error("--recount-workers must be 0 or more")
    if any(s < 1 for s in args.scale) or args.requests < 1 or args.warmups < 0 or args.rounds < 0:
        parser.error("scales and --requests must be at least 1, --warmups and --rounds at least 0")
    return args


def database_exists(pg_url: str, name: str) -> bool:
    with admin_connect(pg_url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()


def worker_env(url: str) -> dict:
    env = django_env(url)
    env.setdefault("SHOUHU_DEMO", "1")
    return env


def run(cmd: list[str], env: dict) -> float:
    """Run a subprocess, its output passed through; return its wall time."""
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, env=env)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[1:3])} failed (exit {result.returncode})")
    return time.perf_counter() - start


def run_worker(kind: str, env: dict, scale: int, args) -> dict:
    """Run the build or measure worker in a subprocess; its result, with its wall time."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    try:
        cmd = [sys.executable, __file__, "--worker", kind, "--out", out, "--scale", str(scale)]
        cmd += ["--requests", str(args.requests), "--warmups", str(args.warmups)]
        cmd += ["--rounds", str(args.rounds)]
        cmd += ["--recount-workers", *map(str, args.recount_workers)]
        if args.no_refresh:
            cmd.append("--no-refresh")
        wall = run(cmd, env)
        result = json.loads(Path(out).read_text())
        result["wall_s"] = wall
        return result
    finally:
        os.unlink(out)


def orchestrate(args) -> int:
    started = time.perf_counter()
    server = pg_version(args.pg_url)
    heading(
        "Shouhu national-scale benchmark (PostgreSQL)",
        f"Python {platform.python_version()}, {server}",
    )
    print(f"  scales: {', '.join(f'1/{s}' for s in args.scale)}; server {args.pg_url}")
    print()
    results = []
    for scale in args.scale:
        name = f"{DB_PREFIX}{scale}"
        url = database_url(args.pg_url, name)
        env = worker_env(url)
        print(f"== 1/{scale} of national scale: database {name}")
        if args.reuse and database_exists(args.pg_url, name):
            print("  reusing the database built earlier (--reuse)")
            migrate_s = run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
            build = None
        else:
            recreate_database(args.pg_url, name)
            migrate_s = run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
            print(f"  migrate (fresh database)  {migrate_s:7.1f} s")
            build = run_worker("build", env, scale, args)
            build["steps"] = {"migrate (fresh database)": migrate_s, **build["steps"]}
            build["total_s"] = migrate_s + build["wall_s"]
        measured = run_worker("measure", env, scale, args)
        if build is None:
            build = measured.get("stored_build") or {}
        results.append({"scale": scale, "db": name, "build": build, "measure": measured})
        print()
        print_scale(scale, build, measured)
        print()
        if args.drop:
            drop_database(args.pg_url, name)
    if len(results) > 1:
        print_comparison(results)
        print()
    print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
    errors = [r for res in results for r in res["measure"]["rows"] if r["error"]]
    return 1 if errors else 0


def pg_version(pg_url: str) -> str:
    with admin_connect(pg_url) as conn:
        return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0]


# ==========================================================================================
# Printing
# ==========================================================================================


def fmt_s(seconds) -> str:
    return "-" if seconds is None else f"{seconds:.1f} s"


def print_scale(scale: int, build: dict, measured: dict) -> None:
    counts = build.get("counts") or measured.get("counts") or {}
    if build.get("steps"):
        print(f"  Build of 1/{scale} (COPY; seconds per step)")
        for step, seconds in build["steps"].items():
            print(f"    {step:<44} {seconds:8.1f} s")
        total = build.get("total_s") or sum(build["steps"].values())
        print(f"    {'total':<44} {total:8.1f} s")
    if counts:
        print("  Rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    sizes = measured.get("sizes")
    if sizes:
        print("  Size on disk: " + ", ".join(f"{k} {v}" for k, v in sizes.items()))
    for note in measured.get("notes", []):
        print(f"  note: {note}")
    refresh = measured.get("refresh_s")
    if refresh is not None:
        counting = measured.get("recount_s")
        print(
            f"  stats.services.refresh_all(): {refresh:.1f} s"
            + (f" (of which {counting:.1f} s in services.recount)" if counting is not None else "")
        )
    for run in measured.get("recounts", []):
        print(
            f"  nightly recount in chunks (stats.tasks.refresh_stats), {run['workers']} "
            f"worker{'s' if run['workers'] > 1 else ''}: {run['seconds']:.1f} s "
            f"({run['chunks']} chunks, {run['villages']:,} villages)"
        )
    print()
    print_rows(measured["rows"], scale)


def verdict(row: dict, scale: int) -> str:
    if row["error"]:
        return "ERROR"
    if row["target_ms"] is None:
        return "-"
    ok = row["median_ms"] < row["target_ms"]
    return ("OK" if ok else "SLOW") + ("" if scale == 10 else " (target at 1/10)")


def print_rows(rows: list[dict], scale: int) -> None:
    headers = ["who", "page", "path", "status", "n", "median ms", "p95 ms", "queries", "KiB"]
    headers.append("target")
    cells = [
        [
            r["who"],
            r["page"],
            r["path"],
            str(r["status"]),
            str(r.get("samples", "")),
            "-" if r["error"] else f"{r['median_ms']:.1f}",
            "-" if r["error"] else f"{r['p95_ms']:.1f}",
            r["queries"],
            f"{r['kib']:.1f}",
            (f"< {r['target_ms']:.0f} ms " if r["target_ms"] else "") + verdict(r, scale),
        ]
        for r in rows
    ]
    text_table(headers, cells, numeric={3, 4, 5, 6, 7, 8})
    for r in rows:
        if r["error"]:
            print(f"  ERROR {r['who']} {r['path']}: {r['error']}")


def print_comparison(results: list[dict]) -> None:
    first, last = results[0], results[-1]
    a, b = first["scale"], last["scale"]
    print(f"Comparison: 1/{a} against 1/{b} (growth = median at 1/{b} / median at 1/{a})")
    ca = first["build"].get("counts") or {}
    cb = last["build"].get("counts") or {}
    for key in ("children", "visits"):
        if key in ca and key in cb:
            print(f"  {key}: {ca[key]:,} → {cb[key]:,} ({cb[key] / max(1, ca[key]):.1f}×)")
    ra, rb = first["measure"].get("refresh_s"), last["measure"].get("refresh_s")
    if ra is not None and rb is not None:
        print(f"  refresh_all(): {ra:.1f} s → {rb:.1f} s ({rb / max(ra, 1e-9):.1f}×)")
    ba, bb = first["build"].get("total_s"), last["build"].get("total_s")
    if ba and bb:
        print(f"  build: {ba:.0f} s → {bb:.0f} s")
    print()
    before = {(r["who"], r["page"]): r for r in first["measure"]["rows"]}
    headers = [
        "who",
        "page",
        f"1/{a} median",
        f"1/{b} median",
        "growth",
        f"1/{a} p95",
        f"1/{b} p95",
        "queries",
        "",
    ]
    cells = []
    for r in last["measure"]["rows"]:
        p = before.get((r["who"], r["page"]))
        if p is None or p["error"] or r["error"]:
            continue
        growth = r["median_ms"] / p["median_ms"] if p["median_ms"] else math.inf
        queries = (
            p["queries"] if p["queries"] == r["queries"] else f"{p['queries']} → {r['queries']}"
        )
        cells.append(
            [
                r["who"],
                r["page"],
                f"{p['median_ms']:.1f}",
                f"{r['median_ms']:.1f}",
                f"{growth:.2f}×",
                f"{p['p95_ms']:.1f}",
                f"{r['p95_ms']:.1f}",
                queries,
                "grows" if growth > GROWTH_NOISE else "flat",
            ]
        )
    text_table(headers, cells, numeric={2, 3, 4, 5, 6, 7})


# ==========================================================================================
# Worker: build (Django set up against the scale's database)
# ==========================================================================================


def say(message: str) -> None:
    print(f"  {message}", flush=True)


class Steps:
    """Named, timed steps of the build, printed as they finish."""

    def __init__(self):
        self.times: dict[str, float] = {}

    def __call__(self, name: str, quiet: bool = False):
        steps = self

        class Step:
            def __enter__(self):
                self.start = time.perf_counter()
                return self

            def __exit__(self, *exc):
                if exc[0] is None:
                    elapsed = time.perf_counter() - self.start
                    steps.times[name] = steps.times.get(name, 0.0) + elapsed
                    if not quiet:
                        say(f"{name:<44} {elapsed:8.1f} s")

        return Step()


def raw_cursor():
    """A cursor of Django's psycopg connection (the one the ORM uses)."""
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.cursor()


def text_value(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if type(value) is str:
        text = value
    elif isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class ModelCopier:
    """Rows of a model's table as COPY text lines, every concrete column written.

    Columns the generator does not set take the value an unsaved instance has (the field's
    default), so a column added to the model later is still filled.
    """

    def __init__(self, model, skip=("id",)):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if f.column not in skip]
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        self.json = {i for i, f in enumerate(self.fields) if f.get_internal_type() == "JSONField"}

    @property
    def statement(self) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        return f'COPY "{self.model._meta.db_table}" ({cols}) FROM STDIN'

    def line_of(self, instance) -> str:
        values = instance.__dict__
        return "\t".join([text_value(values[a]) for a in self.attnames]) + "\n"

    def template(self, *varying: str, **fixed):
        """A fast line maker for many similar rows: `fixed` and the defaults of an unsaved
        instance are written once; each call gives the `varying` attributes in order."""
        base = self.model(**fixed).__dict__
        slots = {name: i for i, name in enumerate(varying)}
        parts = [slots.get(a, text_value(base[a])) for a in self.attnames]
        positions = [(i, slots[a]) for i, a in enumerate(self.attnames) if a in slots]

        def line(*values) -> str:
            row = parts[:]
            for position, slot in positions:
                row[position] = text_value(values[slot])
            return "\t".join(row) + "\n"

        return line

    def copy_lines(self, cursor, lines) -> int:
        count = 0
        with cursor.copy(self.statement) as copy:
            buffer = []
            for line in lines:
                buffer.append(line)
                count += 1
                if len(buffer) >= 5000:
                    copy.write("".join(buffer))
                    buffer = []
            if buffer:
                copy.write("".join(buffer))
        return count


def secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """Indexes that back no constraint (neither primary key nor unique): dropped for COPY."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT x.indisunique
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """,
        [table],
    )
    return cursor.fetchall()


def foreign_keys(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [table],
    )
    return cursor.fetchall()


class IndexesOff:
    """Drop the secondary indexes and foreign keys of tables about to be bulk-loaded, and put
    them back afterwards (building an index once is much cheaper than updating it per row, and
    checking a foreign key once per table is cheaper than a trigger per row)."""

    def __init__(self, cursor, tables: list[str]):
        self.cursor = cursor
        self.saved = {t: (secondary_indexes(cursor, t), foreign_keys(cursor, t)) for t in tables}

    def drop(self):
        for table, (indexes, fks) in self.saved.items():
            for name, _definition in fks:
                self.cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                self.cursor.execute(f'DROP INDEX "{name}"')

    def restore(self, steps: Steps):
        with steps("indexes: create secondary indexes"):
            for _table, (indexes, _fks) in self.saved.items():
                for _name, definition in indexes:
                    self.cursor.execute(definition)
        with steps("indexes: add and check foreign keys"):
            for table, (_indexes, fks) in self.saved.items():
                for name, definition in fks:
                    self.cursor.execute(
                        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
                    )


def month_end(day: dt.date) -> dt.date:
    nxt = day.replace(day=28) + dt.timedelta(days=4)
    return nxt - dt.timedelta(days=nxt.day)


@dataclass
class Village:
    id: int
    code: str
    name: str
    township_id: int
    weight: float
    director_id: int | None = None


@dataclass
class BuildState:
    today: dt.date
    next_area_id: int = 0
    next_user_id: int = 0
    villages: list = field(default_factory=list)
    supervisors: dict = field(default_factory=dict)  # township id → supervisor user id
    counts: dict = field(default_factory=dict)


def build_villages(cursor, state: BuildState, rng: random.Random) -> None:
    """About 12 generated villages under every township of the shipped lists, by COPY.

    Streets (township codes 001–099) hold communities; towns and townships mostly village
    committees (200–399) and a few communities (001–199), as the statistical codes have it.
    """
    from areas import codes
    from areas.models import Area
    from demo import names

    townships = list(
        Area.objects.filter(level="township").order_by("code").values_list("id", "code", "name")
    )
    cursor.execute("SELECT coalesce(max(id), 0) FROM areas_area")
    next_id = cursor.fetchone()[0] + 1
    line = ModelCopier(Area, skip=()).template("id", "code", "name", "parent_id", level="village")
    lines = []
    for township_id, code, _tname in townships:
        kind = codes.township_kind(code)
        count = rng.randint(*VILLAGES_PER_TOWNSHIP)
        if kind == "street":
            communities = count
        elif kind == "other":
            communities = rng.randint(0, count)
        else:
            communities = rng.choice((0, 1, 1, 2, 3))
        seen = set()
        kind_weight = TOWNSHIP_KIND_WEIGHT[kind] * PROVINCE_WEIGHT.get(code[:2], 1.0)
        pool = names.COMMUNITY_NAMES[:]
        rng.shuffle(pool)
        for i in range(count):
            if i < communities:
                number = i + 1
                name = pool[i] if i < len(pool) else rng.choice(names.VILLAGE_PREFIXES) + "新"
                name += "社区"
            else:
                number = 200 + i - communities + 1
                for _attempt in range(50):
                    name = (
                        rng.choice(names.VILLAGE_PREFIXES)
                        + rng.choice(names.VILLAGE_SUFFIXES)
                        + "村"
                    )
                    if name not in seen:
                        break
            seen.add(name)
            village_code = f"{code[:9]}{number:03d}"
            weight = kind_weight * (COMMUNITY_WEIGHT if number < 200 else 1.0)
            weight *= rng.lognormvariate(0, 0.5)
            state.villages.append(Village(next_id, village_code, name, township_id, weight))
            lines.append(line(next_id, village_code, name, township_id))
            next_id += 1
    ModelCopier(Area, skip=()).copy_lines(cursor, lines)
    state.next_area_id = next_id
    state.counts["villages"] = len(state.villages)
    state.counts["townships"] = len(townships)


def build_people_and_points(cursor, state: BuildState, rng: random.Random) -> None:
    """Accounts (a leader per province, an officer per county, a supervisor per township, a
    director in most villages), service points and the responsibility matrix, by COPY."""
    from django.utils import timezone

    from areas.models import Area, ServicePoint
    from demo import names
    from people.models import ResponsibilityPost, User

    now = timezone.now()
    cursor.execute("SELECT coalesce(max(id), 0) FROM people_user")
    next_id = cursor.fetchone()[0] + 1
    users, points = ModelCopier(User, skip=()), ModelCopier(ServicePoint)
    posts = ModelCopier(ResponsibilityPost)
    # Unusable password: nobody signs in with these accounts.
    user_line = users.template(
        "id", "username", "role", "area_id", "name", "phone",
        password="!national-bench", date_joined=now, updated_at=now,
    )  # fmt: skip
    point_line = points.template("kind", "area_id", "name", "phone", updated_at=now)
    post_line = posts.template("area_id", "post", "holder_name", "phone", updated_at=now)
    user_lines, point_lines, post_lines = [], [], []
    people = [names.person_name(rng) for _ in range(50_000)]

    def mobile():
        return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"

    def account(username, role, area_id):
        nonlocal next_id
        user_lines.append(user_line(next_id, username, role, area_id, rng.choice(people), mobile()))
        next_id += 1
        return next_id - 1

    def point(kind, area_id, name):
        point_lines.append(point_line(kind, area_id, name, mobile()))

    def post(area_id, kind):
        if rng.random() < POST_FILLED_RATE:
            post_lines.append(post_line(area_id, kind, rng.choice(people), mobile()))
        else:
            post_lines.append(post_line(area_id, kind, "", ""))

    upper = (
        Area.objects.exclude(level="village")
        .order_by("code")
        .values_list("id", "code", "name", "level")
    )
    for area_id, code, name, level in upper:
        if level == "province":
            account(f"leader{code[:2]}", "leader", area_id)
        elif level == "county":
            account(f"county{code[:6]}", "county_officer", area_id)
            point(ServicePoint.Kind.GUIDANCE_CENTER, area_id, f"{name}儿童福利指导中心")
        elif level == "township":
            state.supervisors[area_id] = account(f"sup{code[:9]}", "township_supervisor", area_id)
            point(ServicePoint.Kind.WORKSTATION, area_id, f"{name}儿童福利工作站")
            for kind in ResponsibilityPost.REQUIRED["township"]:
                post(area_id, kind)
    for village in state.villages:
        if rng.random() < DIRECTOR_RATE:
            village.director_id = account(f"dir{village.code}", "director", village.id)
        if rng.random() < HOME_RATE:
            point(ServicePoint.Kind.CHILDRENS_HOME, village.id, f"{village.name}儿童之家")
        for kind in ResponsibilityPost.REQUIRED["village"]:
            post(village.id, kind)
    state.counts["accounts"] = users.copy_lines(cursor, user_lines)
    state.counts["service points"] = points.copy_lines(cursor, point_lines)
    state.counts["responsibility posts"] = posts.copy_lines(cursor, post_lines)
    state.next_user_id = next_id


def cumulative(weights: list[float]) -> list[float]:
    total, result = 0.0, []
    for w in weights:
        total += w
        result.append(total)
    return result


class ChildStream:
    """Generated children (demo.children.generate: the demo's families and mix) placed in
    villages by weight, with identity numbers of their county."""

    def __init__(self, villages: list[Village], rng: random.Random):
        self.villages = villages
        self.rng = rng
        self.cum = cumulative([v.weight for v in villages])
        self.placeholder = [type("V", (), {"name": ""})()]

    def rows(self, count: int):
        from demo.children import generate

        rows = generate(self.placeholder, count, self.rng)
        places = self.rng.choices(self.villages, cum_weights=self.cum, k=len(rows))
        for row, village in zip(rows, places, strict=True):
            del row.child["area"]
            row.child["area_id"] = village.id
            row.child["address"] = f"{village.name}{row.child['address']}"
            row.village = village
        return rows


def assign_id_numbers(rows, sequences: dict) -> None:
    """Identity numbers of the child's county (region code) with a per-county, per-birth-date
    sequence across the whole build, so that no two children share a number."""
    from core import idnumber

    for row in rows:
        if not row.id_number:
            continue
        born, sex = row.child["birth_date"], row.child["sex"]
        key = (row.village.code[:6], born)
        seq = sequences.get(key, 0) + 1
        sequences[key] = seq
        row.id_number = idnumber.make(key[0], born, (seq * 2 + (1 if sex == "M" else 0)) % 1000)


class VisitWriter:
    """Visits as COPY text lines, one temporary file per calendar month, so that they can be
    loaded in the order they were recorded (ids rise with time, as in a real registry)."""

    MODES_SPECIAL = ("home", "home", "home", "childrens_home", "call")
    MODES_ORDINARY = ("home", "home", "call", "school")
    NOTES = {
        "living": "住房漏雨，需修缮",
        "safety": "家中无人看护，孩子独自在家",
        "health": "近期生病，未及时就医",
        "study": "成绩下滑，厌学情绪",
        "psychological": "情绪低落，不愿交流",
        "guardianship": "祖辈年迈，照料不足",
    }

    def __init__(self, directory: Path):
        from care.models import Visit

        self.directory = directory
        self.files = {}
        self.count = 0
        # The columns written for each visit: these around the aspects (each with its note),
        # then the model's other columns with their defaults.
        before = ["visited_on", "mode", "met_caregiver", "met_parents"]
        after = [
            "problems",
            "actions",
            "follow_up_on",
            "created_at",
            "updated_at",
            "area_id",
            "child_id",
            "visitor_id",
        ]
        aspects = [c for a in Visit.ASPECTS for c in (a, f"{a}_note")]
        fixed = {"id", *before, *aspects, *after}
        template = Visit()
        others = [f for f in Visit._meta.concrete_fields if f.attname not in fixed]
        self.aspects = Visit.ASPECTS
        self.columns = [*before, *aspects, *after, *(f.column for f in others)]
        self.tail = "".join("\t" + text_value(template.__dict__[f.attname]) for f in others)
        self.fine = "\t".join(["fine\t"] * len(Visit.ASPECTS))

    def statement(self) -> str:
        return f"COPY care_visit ({', '.join(self.columns)}) FROM STDIN"

    def _file(self, day: dt.date):
        key = (day.year, day.month)
        handle = self.files.get(key)
        if handle is None:
            path = self.directory / f"visits-{day.year}-{day.month:02d}.tsv"
            handle = self.files[key] = open(path, "w", encoding="utf-8", buffering=1 << 20)  # noqa: SIM115
        return handle

    def write(self, child_id, area_id, visitor_id, day, mode, finding=None, follow_up=None):
        if finding is None:
            aspects = self.fine
            problems = ""
        else:
            aspect, level = finding
            parts = []
            for a in self.aspects:
                parts.append(f"{level}\t{self.NOTES[a]}" if a == aspect else "fine\t")
            aspects = "\t".join(parts)
            problems = self.NOTES[aspect]
        stamp = f"{day.isoformat()} 16:30:00+08"
        self._file(day).write(
            f"{day.isoformat()}\t{mode}\tt\t{'t' if mode == 'call' else 'f'}\t{aspects}\t"
            f"{problems}\t{'已告知乡镇，约定复访' if finding else ''}\t"
            f"{follow_up.isoformat() if follow_up else chr(92) + 'N'}\t{stamp}\t{stamp}\t"
            f"{area_id}\t{child_id}\t{visitor_id}{self.tail}\n"
        )
        self.count += 1

    def close(self) -> list[Path]:
        for handle in self.files.values():
            handle.close()
        return [self.directory / f"visits-{y}-{m:02d}.tsv" for y, m in sorted(self.files)]


def child_visits(rng, level: str, start: dt.date, end: dt.date) -> list[tuple]:
    """(day, mode, finding, follow-up day) of one child's visits between two days."""
    days = []
    if level == "special":
        first = start.replace(day=1)
        while first <= end:
            last = month_end(first)
            if rng.random() < SPECIAL_MONTHLY:
                low, high = max(first, start), min(last, end)
                if low <= high:
                    days.append((low + dt.timedelta(days=rng.randint(0, (high - low).days)), 0))
            first = last + dt.timedelta(days=1)
    else:
        cycle = start
        while cycle <= end:
            high = min(cycle + dt.timedelta(days=364), end)
            span = (high - cycle).days
            share = (span + 1) / 365
            if rng.random() < ORDINARY_YEARLY * share:
                days.append((cycle + dt.timedelta(days=rng.randint(0, span)), 1))
            if rng.random() < ORDINARY_EXTRA * share:
                days.append((cycle + dt.timedelta(days=rng.randint(0, span)), 2))
            cycle += dt.timedelta(days=365)
    visits = []
    modes = VisitWriter.MODES_SPECIAL if level == "special" else VisitWriter.MODES_ORDINARY
    for day, kind in days:
        mode = rng.choice(modes) if kind != 2 else rng.choice(("call", "school"))
        roll = rng.random()
        if roll < CONCERN_RATE:
            urgent = roll < URGENT_RATE
            aspect = rng.choice(("living", "safety", "health", "study", "psychological"))
            follow = day + dt.timedelta(days=2 if urgent else 14)
            visits.append(
                (
                    day,
                    "home" if urgent else mode,
                    (aspect, "urgent" if urgent else "concern"),
                    follow,
                )
            )
            if rng.random() < FOLLOW_UP_MADE:
                again = day + dt.timedelta(days=rng.randint(1, 2) if urgent else rng.randint(3, 14))
                if again <= end:
                    visits.append((again, "home", None, None))
        else:
            visits.append((day, mode, None, None))
    visits.sort(key=lambda v: v[0])
    return visits


def build_children(cursor, state: BuildState, scale: int, steps: Steps, tmp: Path) -> None:
    """Children with parents and caregivers (COPY per chunk), their visits (to month files),
    then the visits in month order and one summary row per visited child."""
    import functools

    from django.utils import timezone

    import children.imports as imports
    from children.models import Caregiver, Child, Parent

    # Names repeat (surname + one or two characters): compute each name's pinyin once.
    imports.pinyin_of = functools.lru_cache(maxsize=None)(imports.pinyin_of)
    today = state.today
    history_start = today - dt.timedelta(days=round(HISTORY_YEARS * 365.25))
    reference = [v for v in state.villages if v.code.startswith(REFERENCE_COUNTY)]
    national = [v for v in state.villages if not v.code.startswith(REFERENCE_COUNTY)]
    # The reference county is generated whole with its own seed, so that it is the same at
    # every scale; its rows are spread through the national stream.
    reference_rows = ChildStream(reference, random.Random(SEED + 1)).rows(REFERENCE_CHILDREN)
    national_stream = ChildStream(national, random.Random(SEED + 2))
    national_total = round(NATIONAL_CHILDREN / scale)
    total = national_total + len(reference_rows)
    rng = random.Random(SEED + 3)
    visit_rng = random.Random(SEED + 4)
    sequences: dict = {}
    children_copier, parents_copier = ModelCopier(Child, skip=()), ModelCopier(Parent)
    caregivers_copier = ModelCopier(Caregiver)
    visits = VisitWriter(tmp)
    summary_path = tmp / "summaries.tsv"
    summaries = open(summary_path, "w", encoding="utf-8", buffering=1 << 20)  # noqa: SIM115
    next_child = 1
    made = {"national": 0, "reference": 0}
    counts = {"children": 0, "parents": 0, "caregivers": 0, "closed": 0, "special": 0}
    counts["left behind"] = counts["in difficulty"] = counts["without identity number"] = 0
    reference_taken = 0
    loop_start = time.perf_counter()
    while made["national"] < national_total or reference_taken < len(reference_rows):
        with steps("children and visits: generate", quiet=True):
            want = min(CHUNK, national_total - made["national"])
            rows = national_stream.rows(want) if want > 0 else []
            # Twins (generate adds 5 per call) may overshoot the national count slightly.
            made["national"] += want
            assign_id_numbers(rows, sequences)
            share = round(len(reference_rows) * made["national"] / max(1, national_total))
            share = max(share, reference_taken) if want > 0 else len(reference_rows)
            rows += reference_rows[reference_taken:share]
            reference_taken = share
            rng.shuffle(rows)
            child_lines, parent_lines, caregiver_lines = [], [], []
            for row in rows:
                child, parents, caregiver = imports.build(row, today)
                child.id = next_child
                next_child += 1
                registered = history_start + dt.timedelta(days=rng.randint(0, REGISTRATION_DAYS))
                if registered < child.birth_date + dt.timedelta(days=30):
                    registered = child.birth_date + dt.timedelta(days=rng.randint(30, 240))
                registered = min(registered, today - dt.timedelta(days=1))
                created = timezone.make_aware(
                    dt.datetime.combine(registered, dt.time(9, rng.randint(0, 59)))
                )
                child.created_at = child.updated_at = created
                child.care_level_since = registered
                end = today
                if rng.random() < CLOSED_RATE and (today - registered).days > 90:
                    end = registered + dt.timedelta(days=rng.randint(60, (today - registered).days))
                    child.status = "closed"
                    child.closed_on = end
                    child.closed_reason = rng.choice(("moved_away", "parent_returned", "other"))
                    counts["closed"] += 1
                child_lines.append(children_copier.line_of(child))
                for parent in parents.values():
                    parent.child_id = child.id
                    parent_lines.append(parents_copier.line_of(parent))
                if caregiver is not None:
                    caregiver.child_id = child.id
                    caregiver_lines.append(caregivers_copier.line_of(caregiver))
                counts["special"] += child.care_level == "special"
                counts["left behind"] += child.is_left_behind
                counts["in difficulty"] += child.in_difficulty
                counts["without identity number"] += not child.id_hash
                # Visits, to the month files.
                village = row.village
                visitor = village.director_id or state.supervisors[village.township_id]
                last = None
                for day, mode, finding, follow in child_visits(
                    visit_rng, child.care_level, registered, end
                ):
                    visits.write(child.id, village.id, visitor, day, mode, finding, follow)
                    last = (day, follow)
                if last is not None:
                    follow = last[1].isoformat() if last[1] else "\\N"
                    summaries.write(f"{child.id}\t{last[0].isoformat()}\t{follow}\n")
        with steps("children: COPY children, parents, caregivers", quiet=True):
            counts["children"] += children_copier.copy_lines(cursor, child_lines)
            counts["parents"] += parents_copier.copy_lines(cursor, parent_lines)
            counts["caregivers"] += caregivers_copier.copy_lines(cursor, caregiver_lines)
        done = counts["children"]
        if done % (10 * CHUNK) < len(rows) or done >= total:
            say(
                f"… {done:,} of about {total:,} children, {visits.count:,} visits "
                f"({time.perf_counter() - loop_start:.0f} s)"
            )
    summaries.close()
    files = visits.close()
    with steps("visits: COPY in month order"):
        for path in files:
            with open(path, "rb") as handle, cursor.copy(visits.statement()) as copy:
                while block := handle.read(1 << 22):
                    copy.write(block)
            path.unlink()
    with steps("visits: COPY summaries"):
        with (
            open(summary_path, "rb") as handle,
            cursor.copy(
                "COPY care_visitsummary (child_id, last_visit, follow_up) FROM STDIN"
            ) as copy,
        ):
            while block := handle.read(1 << 22):
                copy.write(block)
        summary_path.unlink()
    counts["visits"] = visits.count
    counts["reference county children"] = len(reference_rows)
    state.counts.update(counts)


BULK_TABLES = [
    "areas_area",
    "people_user",
    "areas_servicepoint",
    "people_responsibilitypost",
    "children_child",
    "children_parent",
    "children_caregiver",
    "care_visit",
    "care_visitsummary",
    "rounds_round",
    "rounds_villagereturn",
    "rounds_villagesnapshot",
]


def past_quarters(today: dt.date, count: int) -> list[tuple[int, int, dt.date, dt.date]]:
    """(year, quarter, first day, last day) of the `count` quarters before today's, oldest
    first."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    result = []
    for _ in range(count):
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        start = dt.date(year, 3 * quarter - 2, 1)
        result.append((year, quarter, start, month_end(start.replace(month=3 * quarter))))
    return result[::-1]


SNAPSHOT_FIGURES = """
    jsonb_build_object(
        'total', coalesce(k.total, 0), 'new', coalesce(k.new, 0), 'exited', coalesce(x.n, 0),
        'category', jsonb_build_object(
            'left_behind', coalesce(k.left_behind, 0), 'orphan', coalesce(k.orphan, 0),
            'fuc', coalesce(k.fuc, 0), 'in_difficulty', coalesce(k.in_difficulty, 0),
            'poverty', coalesce(k.poverty, 0), 'disability', coalesce(k.disability, 0),
            'guardianship', coalesce(k.guardianship, 0), 'ordinary', coalesce(k.ordinary, 0)),
        'care_level', jsonb_build_object(
            'special', coalesce(k.special, 0), 'ordinary', coalesce(k.ordinary_level, 0)),
        'sex', jsonb_build_object('M', coalesce(k.boys, 0), 'F', coalesce(k.girls, 0)),
        'age_band', jsonb_build_object(
            '0-5', coalesce(k.a0, 0), '6-13', coalesce(k.a6, 0), '14-15', coalesce(k.a14, 0),
            '16+', coalesce(k.a16, 0)))
"""
SNAPSHOT_COUNTS = """
    SELECT area_id, count(*) AS total, count(*) FILTER (WHERE created_at >= %(start)s) AS new,
        count(*) FILTER (WHERE is_left_behind) AS left_behind,
        count(*) FILTER (WHERE is_orphan) AS orphan, count(*) FILTER (WHERE is_fuc) AS fuc,
        count(*) FILTER (WHERE difficulty_poverty OR difficulty_disability
            OR difficulty_guardianship) AS in_difficulty,
        count(*) FILTER (WHERE difficulty_poverty) AS poverty,
        count(*) FILTER (WHERE difficulty_disability) AS disability,
        count(*) FILTER (WHERE difficulty_guardianship) AS guardianship,
        count(*) FILTER (WHERE NOT (is_left_behind OR is_orphan OR is_fuc OR difficulty_poverty
            OR difficulty_disability OR difficulty_guardianship)) AS ordinary,
        count(*) FILTER (WHERE care_level = 'special') AS special,
        count(*) FILTER (WHERE care_level = 'ordinary') AS ordinary_level,
        count(*) FILTER (WHERE sex = 'M') AS boys, count(*) FILTER (WHERE sex = 'F') AS girls,
        count(*) FILTER (WHERE extract(year FROM age(%(end)s, birth_date)) <= 5) AS a0,
        count(*) FILTER (WHERE extract(year FROM age(%(end)s, birth_date)) BETWEEN 6 AND 13)
            AS a6,
        count(*) FILTER (WHERE extract(year FROM age(%(end)s, birth_date)) BETWEEN 14 AND 15)
            AS a14,
        count(*) FILTER (WHERE extract(year FROM age(%(end)s, birth_date)) >= 16) AS a16
    FROM children_child
    WHERE created_at < %(after)s AND (closed_on IS NULL OR closed_on > %(end)s)
    GROUP BY area_id
"""


# The snapshots' figures added up in SQL, named as SNAPSHOT_FIGURES reads them (k.…).
_SUMMED = [
    ("total", "{total}"),
    ("new", "{new}"),
    ("exited", "{exited}"),
    *[
        (name, "{category," + name + "}")
        for name in (
            "left_behind", "orphan", "fuc", "in_difficulty", "poverty", "disability",
            "guardianship", "ordinary",
        )
    ],
    ("special", "{care_level,special}"),
    ("ordinary_level", "{care_level,ordinary}"),
    ("boys", "{sex,M}"),
    ("girls", "{sex,F}"),
    ("a0", "{age_band,0-5}"),
    ("a6", "{age_band,6-13}"),
    ("a14", "{age_band,14-15}"),
    ("a16", "{age_band,16+}"),
]  # fmt: skip
FIGURE_SUMS = ", ".join(f"sum((figures #>> '{path}')::int) AS {name}" for name, path in _SUMMED)


def build_round_sums(cursor) -> int:
    """The townships' and counties' sums of every round (rounds.models.RoundFigures), as
    rounds.services.roll_up keeps them at each approval: added up in SQL on the server."""
    from areas.codes import Level

    written = 0
    for level, source in (
        (
            Level.TOWNSHIP,
            "SELECT s.round_id, v.parent_id AS area_id, count(*) AS villages, "
            f"{FIGURE_SUMS} FROM rounds_villagesnapshot s "
            "JOIN areas_area v ON v.id = s.area_id GROUP BY s.round_id, v.parent_id",
        ),
        (
            Level.COUNTY,
            "SELECT f.round_id, t.parent_id AS area_id, sum(f.villages) AS villages, "
            f"{FIGURE_SUMS} FROM rounds_roundfigures f JOIN areas_area t ON t.id = f.area_id "
            "WHERE f.level = 'township' GROUP BY f.round_id, t.parent_id",
        ),
    ):
        figures = SNAPSHOT_FIGURES.replace("x.n", "k.exited")
        cursor.execute(
            "INSERT INTO rounds_roundfigures (round_id, area_id, code, level, villages, figures) "
            f"SELECT k.round_id, k.area_id, a.code, %s, k.villages, {figures} "
            f"FROM ({source}) k JOIN areas_area a ON a.id = k.area_id",
            [level.value],
        )
        written += cursor.rowcount
    return written


def build_rounds(cursor, state: BuildState, quarters: int) -> None:
    """Approved quarterly rounds of the last `quarters` quarters in every county: the round
    (closed), every village's return (approved) and its snapshot with the quarter's figures
    (as rounds.figures.count makes them, counted in SQL from the children registered and
    not closed at the quarter's end). The children's snapshot rows are not made: no measured
    page reads them. Bulk SQL (INSERT … SELECT) on the server."""
    from django.utils import timezone

    rounds = returns = snapshots = 0
    for year, quarter, start, end in past_quarters(state.today, quarters):
        params = {
            "year": year,
            "quarter": quarter,
            "start": timezone.make_aware(dt.datetime.combine(start, dt.time())),
            "end": end,
            "after": timezone.make_aware(dt.datetime.combine(end, dt.time()))
            + dt.timedelta(days=1),
            "opened": timezone.make_aware(dt.datetime.combine(end, dt.time(9)))
            - dt.timedelta(days=10),
            "due": end + dt.timedelta(days=15),
            "submitted": timezone.make_aware(dt.datetime.combine(end, dt.time(10)))
            + dt.timedelta(days=5),
            "approved": timezone.make_aware(dt.datetime.combine(end, dt.time(15)))
            + dt.timedelta(days=10),
            "closed": timezone.make_aware(dt.datetime.combine(end, dt.time(17)))
            + dt.timedelta(days=25),
        }
        cursor.execute(
            "INSERT INTO rounds_round (year, quarter, due_on, state, opened_at, closed_at, "
            "county_id) SELECT %(year)s, %(quarter)s, %(due)s, 'closed', %(opened)s, "
            "%(closed)s, id FROM areas_area WHERE level = 'county'",
            params,
        )
        rounds += cursor.rowcount
        villages = (
            "FROM rounds_round r JOIN areas_area t ON t.parent_id = r.county_id "
            "JOIN areas_area v ON v.parent_id = t.id "
            "WHERE r.year = %(year)s AND r.quarter = %(quarter)s"
        )
        cursor.execute(
            "INSERT INTO rounds_villagereturn (state, submitted_at, reviewed_at, review_comment, "
            "updated_at, area_id, round_id) SELECT 'approved', %(submitted)s, %(approved)s, '', "
            f"%(approved)s, v.id, r.id {villages}",
            params,
        )
        returns += cursor.rowcount
        cursor.execute(
            "INSERT INTO rounds_villagesnapshot (approved_at, figures, area_id, round_id) "
            f"SELECT %(approved)s, {SNAPSHOT_FIGURES}, v.id, r.id {villages.split(' WHERE ')[0]} "
            f"LEFT JOIN ({SNAPSHOT_COUNTS}) k ON k.area_id = v.id "
            "LEFT JOIN (SELECT area_id, count(*) AS n FROM children_child "
            "WHERE closed_on BETWEEN %(first)s AND %(end)s GROUP BY area_id) x "
            "ON x.area_id = v.id WHERE r.year = %(year)s AND r.quarter = %(quarter)s",
            {**params, "first": start},
        )
        snapshots += cursor.rowcount
    state.counts["rounds"] = rounds
    state.counts["village returns"] = returns
    state.counts["village snapshots"] = snapshots
    state.counts["township and county sums of rounds"] = build_round_sums(cursor)


def worker_build(args) -> dict:
    from django.utils import timezone

    from areas.services import load_divisions

    started = time.perf_counter()
    steps = Steps()
    state = BuildState(today=timezone.localdate())
    cursor = raw_cursor()
    cursor.execute("SET synchronous_commit = off")
    cursor.execute("SET maintenance_work_mem = '512MB'")
    rng = random.Random(SEED)
    with steps("areas: load_divisions() (shipped lists)"):
        report = load_divisions()
        state.counts["provinces"] = report.created.get("province", 0)
        state.counts["cities"] = report.created.get("city", 0)
        state.counts["counties"] = report.created.get("county", 0)
        ensure_nation()
    indexes = IndexesOff(cursor, BULK_TABLES)
    indexes.drop()
    with steps("areas: villages (COPY)"):
        build_villages(cursor, state, rng)
    with steps("people: accounts, service points, posts (COPY)"):
        build_people_and_points(cursor, state, rng)
    with tempfile.TemporaryDirectory(prefix="shouhu-national-") as tmp:
        build_children(cursor, state, args.scale[0], steps, Path(tmp))
    if args.rounds:
        with steps(f"rounds: {args.rounds} approved quarters (INSERT … SELECT)"):
            build_rounds(cursor, state, args.rounds)
    indexes.restore(steps)
    with steps("sequences: reset after explicit ids"):
        for table in ("areas_area", "people_user", "children_child"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    with steps("VACUUM ANALYZE"):
        for table in BULK_TABLES:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
    total = time.perf_counter() - started
    result = {"steps": steps.times, "counts": state.counts, "worker_s": total}
    from django.db import connection

    store(connection, result)
    return result


# ==========================================================================================
# Worker: measure
# ==========================================================================================


@dataclass
class Row:
    who: str
    page: str
    path: str
    target_ms: float | None = None
    status: int = 0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    queries: str = ""
    kib: float = 0.0
    samples: int = 0
    error: str = ""


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(client, row: Row, requests: int, warmups: int) -> Row:
    """Warm up, count the queries of two requests, then time `requests` requests.

    A page whose first request takes more than SLOW_PAGE_S seconds gets no more warm-ups,
    one counted request and only as many timed requests as fit in PAGE_BUDGET_S (at least
    3), so that one very slow page does not take an hour; `samples` says how many.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"Accept": "application/json"} if row.path.startswith("/api/") else {}
    start = time.perf_counter()
    client.get(row.path, headers=headers)  # the first warm-up
    first_s = time.perf_counter() - start
    slow = first_s > SLOW_PAGE_S
    for _ in range(0 if slow else warmups - 1):
        client.get(row.path, headers=headers)
    counts = []
    for _ in range(1 if slow else 2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(row.path, headers=headers)
        counts.append(len(captured.captured_queries))
    row.status = response.status_code
    row.queries = "/".join(str(n) for n in dict.fromkeys(counts))
    row.kib = len(response.content) / 1024
    if row.status >= 400:
        exc_info = getattr(response, "exc_info", None)
        row.error = repr(exc_info[1]) if exc_info else f"HTTP {row.status}"
        return row
    if slow:
        requests = max(3, min(requests, int(PAGE_BUDGET_S / first_s)))
    gc.collect()
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(row.path, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
    row.samples = len(samples)
    row.median_ms = statistics.median(samples)
    row.p95_ms = p95(samples)
    return row


def worker_measure(args) -> dict:
    import importlib.util
    import logging

    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from areas import codes
    from areas.models import Area
    from children.models import Child

    logging.getLogger("django.request").setLevel(logging.ERROR)
    static_root = Path(tempfile.mkdtemp(prefix="shouhu-national-static-"))
    plain_static_files(static_root)
    result: dict = {"notes": [], "rows": []}
    stored = read_stored(connection)
    if stored:
        result["stored_build"] = stored

    nation = ensure_nation()
    province = Area.objects.get(code=REFERENCE_COUNTY[:2] + "0" * 10)
    county = Area.objects.get(code=REFERENCE_COUNTY + "0" * 6)
    township = Area.objects.get(code=REFERENCE_TOWNSHIP + "000")
    # The director's village: the township's largest (the same at every scale).
    village_id, village_children = (
        Child.objects.filter(area__parent=township, status="active")
        .values_list("area_id")
        .annotate(n=Count("id"))
        .order_by("-n", "area_id")
        .first()
    )
    village = Area.objects.get(pk=village_id)
    result["notes"].append(
        f"measured: the nation {nation.code}, province {province.name} {province.code}, "
        f"county {county.name} {county.code}, township {township.name} {township.code}, "
        f"village {village.name} {village.code} ({village_children} active children)"
    )
    users = {
        "leader (nation)": bench_user("bench_nation", "leader", nation),
        "leader (province)": bench_user("bench_province", "leader", province),
        "county officer": bench_user("bench_county", "county_officer", county),
        "supervisor": bench_user("bench_township", "township_supervisor", township),
        "director": bench_user("bench_director", "director", village),
    }
    rows: list[Row] = []
    if importlib.util.find_spec("stats") is None:
        result["notes"].append(
            "the stats app is not in this checkout (importlib.util.find_spec('stats') is None): "
            "no refresh_all() and no dashboard rows; only the worklist is measured"
        )
    else:
        refresh_stats(args, result, stored, connection)
        result["recounts"] = [recount_in_workers(n, result) for n in args.recount_workers if n > 0]
        from rounds.models import RoundFigures, VillageSnapshot

        if VillageSnapshot.objects.exists() and not RoundFigures.objects.exists():
            with connection.cursor() as cursor:
                begin = time.perf_counter()
                written = build_round_sums(cursor)
            result["notes"].append(
                f"the rounds' township and county sums were missing (a database built before "
                f"they existed): {written:,} rows made in SQL in "
                f"{time.perf_counter() - begin:.1f} s"
            )
        for who, area in (
            ("leader (nation)", nation),
            ("leader (province)", province),
            ("county officer", county),
            ("supervisor", township),
        ):
            level = codes.Level(area.level).value
            rows.append(
                Row(who, f"dashboard: {level}", f"/dashboard/{area.code}/", DASHBOARD_TARGET_MS)
            )
            rows.append(Row(who, f"api: stats {level}", f"/api/v1/stats/{area.code}/"))
    rows += [
        Row("director", "worklist", "/care/worklist/", WORKLIST_TARGET_MS),
        Row("director", "api: worklist", "/api/v1/worklist/"),
        Row("supervisor", "compliance: township", f"/care/compliance/{township.code}/"),
        Row("county officer", "compliance: county", f"/care/compliance/{county.code}/"),
    ]
    clients = {}
    for who, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[who] = client
    result["sizes"] = table_sizes(connection)
    loads = [os.getloadavg()[0]]
    for row in rows:
        measure(clients[row.who], row, args.requests, args.warmups)
        say(f"{row.who:<18} {row.path:<40} {row.median_ms:8.1f} ms  {row.queries} queries")
        loads.append(os.getloadavg()[0])
    result["notes"].append(
        "1-minute load average while the pages were measured: "
        f"{min(loads):.2f}–{max(loads):.2f} (this process and PostgreSQL make about 1; "
        "more means other work shared the 2 CPUs)"
    )
    result["rows"] = [asdict(r) for r in rows]
    return result


def read_stored(connection) -> dict | None:
    """What the build stored in the database (its steps, counts, the last refresh time)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_national_build') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT data FROM bench_national_build")
        row = cursor.fetchone()
    if not row:
        return None
    data = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    if isinstance(data.get("steps"), list):
        data["steps"] = dict(data["steps"])
    return data


def store(connection, data: dict) -> None:
    # jsonb keeps no key order: the steps are stored as pairs (read_stored turns them back).
    if isinstance(data.get("steps"), dict):
        data = {**data, "steps": list(data["steps"].items())}
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_national_build (data jsonb)")
        cursor.execute("DELETE FROM bench_national_build")
        cursor.execute("INSERT INTO bench_national_build VALUES (%s)", [json.dumps(data)])


def table_sizes(connection) -> dict:
    sizes = {}
    with connection.cursor() as cursor:
        for table in ("children_child", "care_visit", "care_visitsummary", "stats_villagestats"):
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if not cursor.fetchone()[0]:
                continue
            cursor.execute(
                "SELECT pg_size_pretty(pg_table_size(%s)), pg_size_pretty(pg_indexes_size(%s))",
                [table, table],
            )
            heap, index = cursor.fetchone()
            sizes[table] = f"{heap} (+ {index} indexes)"
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        sizes["database"] = cursor.fetchone()[0]
    return sizes


def ensure_nation():
    """The nation's area (000000000000): the shipped lists do not hold it; provinces stay
    roots of the tree."""
    from areas import codes
    from areas.models import Area

    nation, _created = Area.objects.get_or_create(
        code=codes.NATION_CODE, defaults={"name": "全国", "level": codes.Level.NATION}
    )
    return nation


def refresh_stats(args, result: dict, stored: dict | None, connection) -> None:
    """stats.services.refresh_all(), timed (or, with --no-refresh, the time stored earlier)."""
    from stats import services
    from stats.models import VillageStats

    if args.no_refresh and VillageStats.objects.exists():
        result["refresh_s"] = (stored or {}).get("refresh_s")
        result["recount_s"] = (stored or {}).get("recount_s")
        result["notes"].append(
            "refresh_all() not run again (--no-refresh): the village rows of the earlier "
            "refresh are measured; its time is the one stored then"
        )
        return
    gc.collect()
    say("stats.services.refresh_all() …")
    # Only to say where the time goes: the time spent inside services.recount (the counting
    # queries) is added up; what refresh_all does is unchanged.
    recount, counting = services.recount, [0.0]

    def timed_recount(*a, **kw):
        begin = time.perf_counter()
        try:
            return recount(*a, **kw)
        finally:
            counting[0] += time.perf_counter() - begin

    services.recount = timed_recount
    start = time.perf_counter()
    try:
        written = services.refresh_all()
    finally:
        services.recount = recount
    result["refresh_s"] = time.perf_counter() - start
    result["recount_s"] = counting[0]
    say(
        f"stats.services.refresh_all(): {written:,} villages in {result['refresh_s']:.1f} s, "
        f"of which {counting[0]:.1f} s in services.recount (counting)"
    )
    stored = {**(stored or {}), "refresh_s": result["refresh_s"], "recount_s": counting[0]}
    store(connection, stored)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) stats_villagestats")


def recount_in_workers(workers: int, result: dict) -> dict:
    """The nightly recount as production runs it: the job `stats.tasks.refresh_stats` is
    queued and `workers` real `manage.py db_worker` processes (queue "stats") share its
    chunks; timed from the queueing to the roll-up's end (worker start-up included)."""
    from django.db import connection

    from jobs import services as jobs
    from jobs.models import Job
    from stats.models import Recount
    from stats.tasks import refresh_stats as nightly

    say(f"the nightly recount in chunks, {workers} worker(s) …")
    last = Recount.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    command += ["--queue-name", "stats", "--interval", "0.2", "--verbosity", "0"]
    started = time.perf_counter()
    first = jobs.start(nightly)
    processes = [
        subprocess.Popen([*command, "--worker-id", f"bench{n}"], cwd=ROOT, start_new_session=True)
        for n in range(workers)
    ]
    try:
        deadline = started + 3 * 3600
        while True:
            recount = Recount.objects.filter(pk__gt=last).order_by("pk").first()
            if recount is not None and recount.finished_at is not None:
                break
            failed = Job.objects.filter(created_at__gte=first.created_at, state="failed")
            if failed.exists() or time.perf_counter() > deadline:
                raise SystemExit(f"the chunked recount did not finish: {list(failed)}")
            time.sleep(0.5)
        seconds = time.perf_counter() - started
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    connection.close()
    run = {
        "workers": workers,
        "seconds": seconds,
        "chunks": recount.chunks,
        "villages": recount.villages,
    }
    say(f"nightly recount, {workers} worker(s): {seconds:.1f} s ({recount.chunks} chunks)")
    return run


def bench_user(username: str, role: str, area):
    from people.models import User

    user, _created = User.objects.update_or_create(
        username=username, defaults={"role": role, "area": area, "name": username}
    )
    return user


def worker_main(args) -> int:
    setup_django()
    say(f"worker {args.worker}: {os.environ.get('DATABASE_URL')}")
    result = worker_build(args) if args.worker == "build" else worker_measure(args)
    Path(args.out).write_text(json.dumps(result, default=str))
    return 0


def main() -> int:
    args = parse_args()
    if args.worker:
        return worker_main(args)
    return orchestrate(args)


if __name__ == "__main__":
    sys.exit(main())
