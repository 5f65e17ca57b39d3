"""Shouhu national-scale benchmark on PostgreSQL: build the country, time the dashboards.

Run with `make bench-national` (or `.venv/bin/python bench/national.py [--scale 100 10]`).
For each scale it builds a dedicated PostgreSQL database (`shouhu_national_<scale>`) with
the real hierarchy of the shipped national division lists (every province, city, county and
township, about 12 generated villages per township), accounts, service points, and children
and visits at 1/<scale> of national size (bench/national_build.py: children generated in
parallel processes and sent with COPY, visits generated inside PostgreSQL; every step kept in
a ledger, so an interrupted build resumes where it stopped). Then it refreshes the statistics
(`stats.services.refresh_all()`, timed) and measures the server time and SQL query count of the
dashboards of each level and of a director's worklist, in-process with django.test.Client.
Figures, not pass/fail: each is marked OK or SLOW against its target. See bench/README.md.
"""

import argparse
import gc
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
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
from national_build import (
    FINISHED,
    LEDGER,
    REFERENCE_COUNTY,
    REFERENCE_TOWNSHIP,
    build,
    build_round_sums,
    children_stream,
    ensure_nation,
    read_stored,
    say,
    store,
)

DB_PREFIX = "shouhu_national_"

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
    parser.add_argument(
        "--refresh-workers",
        type=int,
        default=0,
        help="make the kept figures with the nightly recount in chunks on this many "
        "`db_worker` processes instead of one refresh_all() (default 0: refresh_all)",
    )
    parser.add_argument(
        "--streams",
        type=int,
        default=os.cpu_count() or 2,
        help="processes generating children and connections generating visits and making "
        "indexes at once (default: the machine's cores)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="build again from nothing even where an interrupted build could be resumed",
    )
    parser.add_argument(
        "--build-only", action="store_true", help="build (or resume) the databases, measure nothing"
    )
    parser.add_argument("--drop", action="store_true", help="drop the databases at the end")
    parser.add_argument(
        "--worker", choices=["build", "measure", "children"], help=argparse.SUPPRESS
    )
    parser.add_argument("--part", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--parts", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.refresh_workers < 0:
        parser.error("--refresh-workers must be 0 or more")
    if any(n < 0 for n in args.recount_workers):
        parser.error("--recount-workers must be 0 or more")
    if any(s < 1 for s in args.scale) or args.requests < 1 or args.warmups < 0 or args.rounds < 0:
        parser.error("scales and --requests must be at least 1, --warmups and --rounds at least 0")
    return args


def database_exists(pg_url: str, name: str) -> bool:
    with admin_connect(pg_url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()


def build_state(pg_url: str, name: str) -> str:
    """ "none" (no database), "finished", "interrupted" (a ledger without its last step) or
    "unknown" (a database without a ledger: built by an older bench, or not at all)."""
    import psycopg

    if not database_exists(pg_url, name):
        return "none"
    with psycopg.connect(database_url(pg_url, name), autocommit=True) as conn:
        if not conn.execute("SELECT to_regclass(%s)", [LEDGER]).fetchone()[0]:
            return "unknown"
        done = conn.execute(f"SELECT 1 FROM {LEDGER} WHERE name = %s", [FINISHED]).fetchone()
    return "finished" if done else "interrupted"


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
        cmd += ["--rounds", str(args.rounds), "--streams", str(args.streams)]
        cmd += ["--recount-workers", *map(str, args.recount_workers)]
        cmd += ["--refresh-workers", str(args.refresh_workers)]
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
        state = build_state(args.pg_url, name)
        if args.reuse and state in ("finished", "unknown"):
            print("  reusing the database built earlier (--reuse)")
            migrate_s = run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
            build = None
        else:
            if state == "interrupted" and not args.fresh:
                print("  resuming the build that was interrupted (--fresh: start again)")
            else:
                recreate_database(args.pg_url, name)
            migrate_s = run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
            print(f"  migrate  {migrate_s:7.1f} s")
            build = run_worker("build", env, scale, args)
            build["steps"] = {"migrate": migrate_s, **build["steps"]}
            build["total_s"] = sum(build["steps"].values())
        if args.build_only:
            print_scale(scale, build, {"rows": []})
            continue
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
    if args.build_only:
        return 0
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
        print(f"  Build of 1/{scale} (seconds per step; steps run in parallel by their wall time)")
        for step, seconds in build["steps"].items():
            print(f"    {step:<56} {seconds:8.1f} s")
        total = build.get("total_s") or sum(build["steps"].values())
        print(f"    {'total':<56} {total:8.1f} s")
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
        workers = measured.get("refresh_workers")
        how = f"nightly recount on {workers} worker(s)" if workers else "refresh_all()"
        print(
            f"  kept figures made ({how}): {refresh:.1f} s"
            + (f" (of which {counting:.1f} s in services.recount)" if counting is not None else "")
        )
    for run in measured.get("recounts", []):
        print(
            f"  nightly recount in chunks (stats.tasks.refresh_stats), {run['workers']} "
            f"worker{'s' if run['workers'] > 1 else ''}: {run['seconds']:.1f} s "
            f"({run['chunks']} chunks, {run['villages']:,} villages)"
        )
    if measured["rows"]:
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
        print(f"  kept figures made: {ra:.1f} s → {rb:.1f} s ({rb / max(ra, 1e-9):.1f}×)")
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
    from tests.personas import verify_session

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
        verify_session(client, user)  # past the two-factor code step, as after a login
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


def table_sizes(connection) -> dict:
    sizes = {}
    with connection.cursor() as cursor:
        for table in ("children_child", "care_visit", "care_visitsummary", "stats_villagestats"):
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if not cursor.fetchone()[0]:
                continue
            # A partitioned table's size is its partitions' (pg_partition_tree: itself too;
            # for a plain table it gives no row, hence the table itself besides).
            cursor.execute(
                "SELECT pg_size_pretty(sum(pg_table_size(r))), "
                "pg_size_pretty(sum(pg_indexes_size(r))) FROM (SELECT relid AS r FROM "
                "pg_partition_tree(%s) UNION SELECT %s::regclass) AS tree",
                [table, table],
            )
            heap, index = cursor.fetchone()
            sizes[table] = f"{heap} (+ {index} indexes)"
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        sizes["database"] = cursor.fetchone()[0]
    return sizes


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
    if args.refresh_workers:
        # The kept figures made as the nightly job makes them: chunks on real workers.
        run = recount_in_workers(args.refresh_workers, result)
        result["refresh_s"], result["recount_s"] = run["seconds"], None
        result["refresh_workers"] = args.refresh_workers
        result["notes"].append(
            f"the kept figures were made by the nightly recount in chunks on "
            f"{args.refresh_workers} worker(s) (--refresh-workers), not refresh_all()"
        )
        store(connection, {**(stored or {}), "refresh_s": run["seconds"], "recount_s": None})
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) stats_villagestats")
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
    if args.worker == "children":
        children_stream(args.part, args.parts)
        return 0
    if args.worker == "build":
        result = build(args.scale[0], args.rounds, args.streams)
    else:
        result = worker_measure(args)
    Path(args.out).write_text(json.dumps(result, default=str))
    return 0


def main() -> int:
    args = parse_args()
    if args.worker:
        return worker_main(args)
    return orchestrate(args)


if __name__ == "__main__":
    sys.exit(main())
