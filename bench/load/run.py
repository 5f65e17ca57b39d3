"""Shouhu load test: 50 signed-in users against gunicorn on PostgreSQL, county demo.

Run with `make bench-load` (or `.venv/bin/python bench/load/run.py [--quick]`). It creates
its own database (`shouhu_load`, dropped and created again), seeds the county demo, starts
gunicorn, and runs three phases, printing throughput, p50/p95/p99 and errors per request type:

1. the mix at a human pace: directors' worklists, child pages and visit saves, township
   supervisors' township pages; each user thinks between clicks. The targets (p95 < 300 ms
   for pages, 0 errors) apply to this phase;
2. the same mix and users without thinking: what the server can do at most (its capacity);
3. the trivial view (/healthz) without thinking on the same server: the framework's limit,
   and the ratios of phase 2 to it.

See bench/README.md, "Load test (make bench-load)".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import math
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import client  # noqa: E402
import cpu  # noqa: E402
from common import (  # noqa: E402
    add_pg_url,
    database_url,
    drop_database,
    free_port,
    heading,
    recreate_database,
    run_manage,
    start_gunicorn,
    stop,
)

PAGE_P95_TARGET_MS = 300.0
TRIVIAL = "trivial view /healthz"
DASHBOARD = "township dashboard"
COMPLIANCE = "township compliance (no dashboard yet)"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_pg_url(parser, "its database name is ignored: see --database")
    parser.add_argument(
        "--database",
        default="shouhu_load",
        help="the load test's database, DROPPED and created again (default shouhu_load)",
    )
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument(
        "--supervisors",
        type=int,
        default=10,
        help="of the users, township supervisors; the rest are directors (default 10)",
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds per phase (60)")
    parser.add_argument("--warmup", type=float, default=10, help="unmeasured seconds first (10)")
    parser.add_argument(
        "--think",
        type=float,
        default=3.0,
        help="phase 1: mean think time between a user's clicks, seconds (default 3: "
        "uniform between 1.5 and 4.5)",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (default 2)")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="web servers: gunicorns on as many ports, each --workers × --threads, sharing the "
        "database and its cache (sessions, lockout counters, throttles); each user signs in "
        "on one and works on the next, so a session that were not shared would fail (default 1)",
    )
    parser.add_argument(
        "--phases", default="123", help="which phases to run, e.g. 1 or 23 (default 123)"
    )
    parser.add_argument("--quick", action="store_true", help="20 s phases after 5 s warm-ups")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="use the database of an earlier --keep-db run as it is (no drop, migrate, seed)",
    )
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup = 20, 5
    if not 0 <= args.supervisors <= args.users or args.duration <= 0 or args.workers < 1:
        parser.error("need 0 <= --supervisors <= --users, --duration > 0, --workers >= 1")
    if args.servers < 1 or (args.port and args.servers > 1):
        parser.error("--servers must be at least 1, and --port is for one server")
    return args


def pick_accounts(db_url: str, directors: int, supervisors: int, rng: random.Random):
    """Directors spread over the county (with their village's active children) and township
    supervisors (with their township's code), chosen at random with a fixed seed."""
    import psycopg

    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            """
            SELECT u.username, array_agg(c.id ORDER BY c.id)
            FROM people_user u
            JOIN children_child c ON c.area_id = u.area_id AND c.status = 'active'
            WHERE u.role = 'director' AND u.is_active
            GROUP BY u.username ORDER BY u.username
            """
        ).fetchall()
        townships = conn.execute(
            """
            SELECT u.username, a.code FROM people_user u JOIN areas_area a ON a.id = u.area_id
            WHERE u.role = 'township_supervisor' AND u.is_active ORDER BY u.username
            """
        ).fetchall()
    if len(rows) < directors or len(townships) < min(supervisors, 1):
        raise SystemExit(
            f"the demo has {len(rows)} directors with children and {len(townships)} supervisors"
        )
    chosen = rng.sample(rows, directors)
    # More supervisors than townships: several people of a township watch the same page.
    sups = [townships[i % len(townships)] for i in range(supervisors)]
    if supervisors <= len(townships):
        sups = rng.sample(townships, supervisors)
    return chosen, sups


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank, like bench/run.py."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarise(samples: list[client.Sample], seconds: float) -> dict:
    times = sorted(s.ms for s in samples)
    errors = [s for s in samples if s.error]
    if not times:
        return {"count": 0, "rate": 0.0, "p50": 0, "p95": 0, "p99": 0, "max": 0, "errors": 0}
    return {
        "count": len(times),
        "rate": len(times) / seconds,
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "p99": percentile(times, 0.99),
        "max": times[-1],
        "errors": len(errors),
    }


def print_phase(title: str, samples, seconds: float, usage: dict, order: list[str]) -> dict:
    """The phase's table: each request type, then all pages (everything but /healthz)."""
    by_kind = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    pages = [s for s in samples if s.kind != TRIVIAL]
    rows = [(k, summarise(by_kind[k], seconds)) for k in order if k in by_kind]
    rows += [(k, summarise(v, seconds)) for k, v in by_kind.items() if k not in order]
    if pages and len(rows) > 1:
        rows.append(("ALL PAGES", summarise(pages, seconds)))
    headers = ["request", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"]
    cells = [
        [
            kind,
            str(s["count"]),
            f"{s['rate']:.1f}",
            f"{s['p50']:.0f}",
            f"{s['p95']:.0f}",
            f"{s['p99']:.0f}",
            f"{s['max']:.0f}",
            str(s["errors"]),
        ]
        for kind, s in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]

    def line(values):
        return "  " + "  ".join(
            v.ljust(widths[i]) if i == 0 else v.rjust(widths[i]) for i, v in enumerate(values)
        )

    print(title)
    print(line(headers))
    print("  " + "  ".join("-" * w for w in widths))
    for values in cells:
        print(line(values))
    print(
        f"  CPU over the window, in cores of {usage['cpus']}: gunicorn {usage['gunicorn']:.2f}, "
        f"PostgreSQL {usage['postgres']:.2f}, load client {usage['client']:.2f}, "
        f"other processes {usage['other']:.2f}; machine busy {usage['busy']:.2f}"
    )
    if samples:
        per = 1000 * seconds / len(samples)  # ms of CPU per request for 1.0 core
        print(
            f"  CPU per request: gunicorn {usage['gunicorn'] * per:.1f} ms, "
            f"PostgreSQL {usage['postgres'] * per:.1f} ms, client {usage['client'] * per:.2f} ms"
        )
    errors = defaultdict(int)
    for sample in samples:
        if sample.error:
            errors[(sample.kind, sample.error)] += 1
    for (kind, error), count in sorted(errors.items(), key=lambda item: -item[1])[:10]:
        print(f"  ERROR x{count} {kind.strip()}: {error}")
    print()
    return {kind: s for kind, s in rows}


async def login_all(users) -> float:
    """Sign everybody in (8 at a time: each login hashes the password, ~0.3 s of CPU)."""
    gate = asyncio.Semaphore(8)
    start = time.perf_counter()

    async def one(user):
        async with gate:
            await user.login()

    await asyncio.gather(*(one(u) for u in users))
    return time.perf_counter() - start


async def detect_township_page(session: client.Session, code: str) -> tuple[str, str, int]:
    """The stats app's /dashboard/<code>/ when it answers 200, else the compliance page."""
    answer = await session.request("GET", f"/dashboard/{code}/")
    if answer.status == 200:
        return f"/dashboard/{code}/", DASHBOARD, 200
    return f"/care/compliance/{code}/", COMPLIANCE, answer.status


async def shared_state(ports: list[int], username: str) -> str:
    """With several servers: the login lockout counted on one server holds on the other
    (the cache they share), shown with an account no virtual user takes. Returns a line."""
    limit = settings_value("LOGIN_FAILURES_PER_ACCOUNT", 10)
    first, second = ports[0], ports[1]
    recorder = client.Recorder()
    works = client.Director(client.Session("127.0.0.1", second, 4.0), username, recorder, [])
    await works.login()  # the account signs in, before
    await works.session.close()
    for _ in range(limit):
        wrong = client.Director(client.Session("127.0.0.1", first, 4.0), username, recorder, [])
        page = await wrong.session.request("GET", "/accounts/login/")
        fields = {"username": username, "password": "not-the-password"}
        with contextlib.suppress(client.Unexpected):
            await wrong.submit(page, "/accounts/login/", fields, "login")
        await wrong.session.close()
    right = client.Director(client.Session("127.0.0.1", second, 4.0), username, recorder, [])
    try:
        await right.login()
        locked = False
    except client.Unexpected:
        locked = True
    await right.session.close()
    if not locked:
        raise SystemExit(f"{limit} failed logins on :{first} did not lock {username} on :{second}")
    return (
        f"  shared state: {limit} failed logins on :{first} locked {username} on :{second} "
        "(lockout counters in the shared cache); every user signs in on one server and "
        "works on the next (sessions in the database)"
    )


def settings_value(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


async def measure(args, ports: list[int], db_url: str, gunicorn_pids: list[int]) -> dict:
    rng = random.Random(20261128)
    wanted = args.users - args.supervisors + (1 if len(ports) > 1 else 0)
    directors, sups = pick_accounts(db_url, wanted, args.supervisors, rng)
    if len(ports) > 1:
        spare, directors = directors[-1][0], directors[:-1]
        print(await shared_state(ports, spare))
    recorder = client.Recorder()
    servers = itertools.cycle(ports)

    def new_session():
        # Reopen a connection idle for 4 s (gunicorn's --keep-alive is 5 s).
        return client.Session("127.0.0.1", next(servers), idle_limit_s=4.0)

    users: list[client.VirtualUser] = [
        client.Director(new_session(), name, recorder, pks) for name, pks in directors
    ]
    township_kind, statuses = None, set()
    for username, _code in sups:
        users.append(client.Supervisor(new_session(), username, recorder, "", ""))
    login_s = await login_all(users)
    if len(ports) > 1:  # each user goes on working on the next server with its session
        for user in users:
            await user.session.move(ports[(ports.index(user.session.port) + 1) % len(ports)])
    for user, (_, code) in zip(users[len(directors) :], sups, strict=True):
        user.township_path, user.kind, status = await detect_township_page(user.session, code)
        township_kind = user.kind
        statuses.add(status)
    print(
        f"Users: {len(directors)} directors of different villages (dir…/director), "
        f"{len(sups)} township supervisors (sup…/township); signed in through the login form "
        f"in {login_s:.1f} s (not measured)"
    )
    if township_kind == COMPLIANCE:
        print(
            "  NOTE: /dashboard/<code>/ (stats:dashboard) answered "
            f"{'/'.join(str(s) for s in sorted(statuses))}, not 200, in this checkout, so the "
            "township page is the compliance page /care/compliance/<code>/."
        )
    elif township_kind == DASHBOARD:
        print("  The township page is the stats app's dashboard /dashboard/<code>/.")
    print()
    order = [
        "director worklist",
        "  + rounds inbox (htmx)",
        "child page",
        "  + relief section (htmx)",
        "visit form",
        "visit save (POST)",
        DASHBOARD,
        COMPLIANCE,
        TRIVIAL,
    ]
    results, extra = {}, []

    async def phase(key, title, phase_users, think):
        edges = []  # CPU snapshots at the window's start and end

        def snap():
            edges.append((time.perf_counter(), cpu.snapshot(gunicorn_pids, args.database)))

        seconds = await client.run_phase(
            phase_users, recorder, args.warmup, args.duration, think, at_edges=snap
        )
        (start, before), (end, after) = edges
        usage = cpu.usage(before, after, end - start)
        results[key] = print_phase(title, list(recorder.samples), seconds, usage, order)
        # CPU of one request of the phase (gunicorn + PostgreSQL), in ms: robust to neighbours.
        count = max(1, len(recorder.samples))
        results[key]["cpu_ms"] = 1000 * seconds * (usage["gunicorn"] + usage["postgres"]) / count
        results[key]["usage"] = usage

    if "1" in args.phases:
        probe = client.Probe(new_session(), "probe", recorder)
        extra.append(probe)
        await phase(
            1,
            f"Phase 1: {len(users)} users at a human pace (think {args.think:g} s on average "
            f"between clicks), {args.duration:g} s after {args.warmup:g} s of warm-up; "
            f"plus one anonymous probe of /healthz at the same pace",
            [*users, probe],
            args.think,
        )
    if "2" in args.phases:
        await phase(
            2,
            f"Phase 2: the same {len(users)} users without thinking (capacity), "
            f"{args.duration:g} s after {args.warmup:g} s",
            users,
            0,
        )
    if "3" in args.phases:
        probes = [client.Probe(new_session(), f"probe{i}", recorder) for i in range(args.users)]
        extra += probes
        await phase(
            3,
            f"Phase 3: the trivial view /healthz, {args.users} clients without thinking "
            f"(the framework's limit on this server), {args.duration:g} s after {args.warmup:g} s",
            probes,
            0,
        )
    for user in [*users, *extra]:
        await user.session.close()
    return results


def requests(rows: dict):
    """The request types' figures of a phase (without its CPU figures)."""
    return [(k, v) for k, v in rows.items() if k not in ("cpu_ms", "usage")]


def verdicts(results: dict) -> int:
    """Targets of phase 1, and the ratios of phase 2 to phase 3. Returns the error count."""
    total_errors = 0
    print("Summary")
    if 1 in results:
        pages, probe = results[1].get("ALL PAGES"), results[1].get(TRIVIAL)
        worst = max(
            (s["p95"], k) for k, s in requests(results[1]) if k not in (TRIVIAL, "ALL PAGES")
        )
        errors = sum(s["errors"] for k, s in requests(results[1]) if k != "ALL PAGES")
        target_ok = pages["p95"] < PAGE_P95_TARGET_MS and worst[0] < PAGE_P95_TARGET_MS
        total_errors += errors
        print(
            f"  phase 1: all pages p95 {pages['p95']:.0f} ms (worst type: {worst[1].strip()} "
            f"{worst[0]:.0f} ms), target < {PAGE_P95_TARGET_MS:.0f} ms: "
            f"{'OK' if target_ok else 'MISSED'}; errors {errors}, target 0: "
            f"{'OK' if errors == 0 else 'MISSED'}; {pages['rate']:.1f} page req/s"
        )
        if probe:
            print(
                f"  phase 1, same load: page p50 / trivial p50 = {pages['p50']:.0f} / "
                f"{probe['p50']:.1f} ms = {pages['p50'] / max(probe['p50'], 0.01):.1f}x"
            )
    if 2 in results and 3 in results:
        pages, trivial = results[2]["ALL PAGES"], results[3][TRIVIAL]
        errors = sum(s["errors"] for k, s in requests(results[2]) if k != "ALL PAGES")
        errors += trivial["errors"]
        total_errors += errors
        print(
            f"  capacity: pages {pages['rate']:.1f} req/s (phase 2) vs trivial view "
            f"{trivial['rate']:.1f} req/s (phase 3): page throughput / trivial throughput = "
            f"{pages['rate'] / max(trivial['rate'], 0.01):.3f} "
            f"(1 page costs as much as {trivial['rate'] / max(pages['rate'], 0.01):.1f} "
            f"trivial requests)"
        )
        print(
            f"  at full load: page p50 / trivial p50 = {pages['p50']:.0f} / "
            f"{trivial['p50']:.1f} ms = {pages['p50'] / max(trivial['p50'], 0.01):.1f}x; "
            f"errors in phases 2 and 3: {errors}"
        )
        page_cpu, trivial_cpu = results[2]["cpu_ms"], results[3]["cpu_ms"]
        cores = results[2]["usage"]["cpus"]
        print(
            f"  CPU per request (gunicorn + PostgreSQL; does not depend on other processes): "
            f"page {page_cpu:.1f} ms, trivial {trivial_cpu:.2f} ms, "
            f"ratio {page_cpu / max(trivial_cpu, 0.001):.1f}x; with all {cores} CPUs to itself "
            f"this server would do about {1000 * cores / page_cpu:.0f} page req/s"
        )
    return total_errors


def main() -> int:
    args = parse_args()
    started = time.perf_counter()
    tmpdir = Path(tempfile.mkdtemp(prefix="shouhu-load-"))
    db_url = database_url(args.pg_url, args.database)
    env = dict(os.environ)
    env.update(
        {
            "SHOUHU_DEMO": "1",
            "DJANGO_SETTINGS_MODULE": "load_settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")])),
            "SHOUHU_LOAD_STATIC_ROOT": str(tmpdir / "static"),
            "DATABASE_URL": db_url,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
        }
    )
    processes = []
    created = False
    try:
        import psycopg

        with psycopg.connect(database_url(args.pg_url, "postgres")) as conn:
            pg_version = conn.execute("SHOW server_version").fetchone()[0]
        heading(
            "Shouhu load test",
            f"Python {platform.python_version()}, PostgreSQL {pg_version}; database {db_url}",
        )
        if not args.reuse_db:
            recreate_database(args.pg_url, args.database)
            created = True
            migrate_s, _ = run_manage(env, "migrate", "--noinput", "--verbosity", "0")
            seed_s, _ = run_manage(env, "seed_demo", "--scale", "county")
            stats = ""
            if (ROOT / "stats" / "management" / "commands" / "refresh_stats.py").exists():
                # The dashboards' village rows, as the daily cron job counts them.
                stats = f", refresh_stats {run_manage(env, 'refresh_stats')[0]:.1f} s"
            with psycopg.connect(db_url, autocommit=True) as conn:
                start = time.perf_counter()
                conn.execute("VACUUM ANALYZE")
                analyze_s = time.perf_counter() - start
            print(
                f"  migrate {migrate_s:.1f} s, seed_demo --scale county {seed_s:.1f} s{stats}, "
                f"VACUUM ANALYZE {analyze_s:.1f} s (as autovacuum would have done in production)"
            )
        else:
            run_manage(env, "migrate", "--noinput", "--verbosity", "0")
            print("  reusing the database as an earlier run left it (migrated, not seeded again)")
        static_s, _ = run_manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        print(f"  collectstatic into a temporary STATIC_ROOT {static_s:.1f} s")
        ports = [args.port] if args.port else []
        while len(ports) < args.servers:
            port = free_port()
            if port not in ports:
                ports.append(port)
        for n, port in enumerate(ports):
            log = tmpdir / f"gunicorn{n}.log"
            process, command = start_gunicorn(env, port, args.workers, args.threads, log)
            processes.append(process)
            print(f"  server: gunicorn {command} (DEBUG off, WhiteNoise, CONN_MAX_AGE=60)")
        print()
        pids = [process.pid for process in processes]
        results = asyncio.run(measure(args, ports, db_url, pids))
        errors = verdicts(results)
        print(f"\nTotal time: {time.perf_counter() - started:.0f} s")
        for n in range(len(processes)):
            log = (tmpdir / f"gunicorn{n}.log").read_text(errors="replace").strip()
            if log:
                print(f"gunicorn {n}'s log (last 20 lines):")
                print("\n".join("  " + line for line in log.splitlines()[-20:]))
        return 1 if errors else 0  # slow figures are reported, not failed (as in bench/run.py)
    finally:
        for process in processes:
            stop(process)
        if created and not args.keep_db:
            drop_database(args.pg_url, args.database)
        elif args.keep_db or args.reuse_db:
            print(f"(kept the database {args.database})")
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
