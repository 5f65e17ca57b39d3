"""A year of the audit log on PostgreSQL: its size, and whether it slows a write or the page.

Run with `make bench-audit` (or `.venv/bin/python bench/audit_year.py [--per-month 1000000]`).
In its own database (`shouhu_audit_year`, dropped at the end unless --keep) it migrates (the
audit log partitioned by month, core.partitions), loads the divisions and a county officer,
then measures, with the log empty and again after loading twelve months of entries:

- a write: `core.audit.log_action` as a page calls it (the chain's lock, the insert), the
  median over --writes calls, in-process;
- the audit page (`/audit/`) of the county officer of 利辛县, the median over --requests.

The twelve months are made inside PostgreSQL (INSERT … SELECT over generate_series), each
month `--per-month` entries: the measured county's share at national size (--county-share,
by default what 1/2,975 of ten million reads a working day gives) and the rest spread over
the nation's counties. From the bytes per entry it prints the size of a national year.
Figures, not pass/fail. See bench/README.md, "A year of audit".
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time

from common import (
    add_pg_url,
    database_url,
    django_env,
    drop_database,
    heading,
    plain_static_files,
    recreate_database,
    run_manage,
    setup_django,
)

DATABASE = "shouhu_audit_year"
COUNTY = "341623"  # 利辛县, the demo county
READS_PER_WORKING_DAY = 10_000_000  # the nation: ~500,000 directors and officers, ~20 each
WORKING_DAYS = 250


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_pg_url(parser, "the database name is replaced")
    parser.add_argument("--per-month", type=int, default=1_000_000, help="entries a month")
    parser.add_argument(
        "--county-share",
        type=int,
        default=READS_PER_WORKING_DAY * WORKING_DAYS // 12 // 2975,
        help="of a month's entries, those of the measured county (default: its national share)",
    )
    parser.add_argument("--writes", type=int, default=300, help="timed writes each time")
    parser.add_argument("--requests", type=int, default=20, help="timed page requests each time")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def measure(officer, writes: int, requests: int) -> dict:
    """Median ms of a write and of the county officer's audit page."""
    from django.test import Client

    from core.audit import log_action
    from tests.personas import verify_session

    times = []
    for n in range(writes):
        start = time.perf_counter()
        log_action(officer, "children.child.read", data={"n": n}, area_code=f"{COUNTY}100201")
        times.append(1000 * (time.perf_counter() - start))
    client = Client()
    client.force_login(officer)
    verify_session(client, officer)
    pages = []
    for _ in range(requests + 2):
        start = time.perf_counter()
        response = client.get("/audit/")
        pages.append(1000 * (time.perf_counter() - start))
        assert response.status_code == 200, response.status_code
    return {"write_ms": statistics.median(times), "page_ms": statistics.median(pages[2:])}


def load_year(per_month: int, county_share: int) -> dict:
    """Twelve months of entries before this month, made on the server; each month's
    partition first (as the nightly job makes them)."""
    from django.db import connection, transaction

    from core import partitions

    today = dt.date.today()
    months = []
    start = partitions.AUDIT.start_of(today)
    for _ in range(12):
        start = partitions.AUDIT.start_of(start - dt.timedelta(days=1))
        months.append(start)
    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM areas_area WHERE level = 'village' ORDER BY code")
        if not cursor.fetchone():
            raise SystemExit("no villages: load the divisions first")
        cursor.execute("SELECT array_agg(code) FROM areas_area WHERE level = 'county'")
        counties = cursor.fetchone()[0]
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET jit = off")
        existing = set(partitions.partitions(cursor, partitions.AUDIT))
        for first in sorted(months):
            if partitions.AUDIT.name_of(first) not in existing:
                with transaction.atomic():
                    partitions.make_partition(cursor, partitions.AUDIT, first)
        started = time.perf_counter()
        for first in sorted(months):
            seconds = (partitions.AUDIT.after(first) - first).days * 86400
            # A month's entries spread over its seconds; the county's share spread among them
            # (n * 7919 mod count runs through every n once); the rest in other counties.
            cursor.execute(
                """
                INSERT INTO core_auditentry (at, actor_id, actor_username, action, object_type,
                    object_id, object_repr, area_code, data, ip, prev_hash, hash)
                SELECT %(first)s::timestamptz
                        + (n * %(seconds)s / %(count)s) * interval '1 second',
                    NULL, 'dir' || (n %% 400), 'children.child.read', 'children.child',
                    (n %% 5000000)::text, '王小明',
                    CASE WHEN (n * 7919) %% %(count)s < %(share)s
                        THEN %(county)s || '100' || (200 + n %% 20)::text
                        ELSE substr(c.codes[1 + n %% array_length(c.codes, 1)], 1, 6)
                            || '100201' END,
                    '{"category": "left_behind"}'::jsonb, '10.1.2.3',
                    md5(n::text) || md5((n + 1)::text), md5((n + 2)::text) || md5((n + 3)::text)
                FROM generate_series(0::bigint, %(count)s - 1) AS n,
                    (SELECT %(counties)s::text[] AS codes) c
                """,
                {
                    "first": first,
                    "seconds": seconds,
                    "count": per_month,
                    "share": county_share,
                    "county": COUNTY,
                    "counties": counties,
                },
            )
        load_s = time.perf_counter() - started
        cursor.execute("VACUUM ANALYZE core_auditentry")
        cursor.execute("SELECT count(*) FROM core_auditentry")
        rows = cursor.fetchone()[0]
        cursor.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'core_auditentry'::regclass"
        )
        size = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'core_auditentry'::regclass"
        )
        parts = cursor.fetchone()[0]
    return {"rows": rows, "bytes": size, "load_s": load_s, "partitions": parts}


def worker(args) -> int:
    import tempfile
    from pathlib import Path

    setup_django()
    plain_static_files(Path(tempfile.mkdtemp(prefix="shouhu-audit-static-")))
    from areas.models import Area
    from areas.services import load_divisions
    from people.models import User

    load_divisions()
    county = Area.objects.get(code=f"{COUNTY}000000")
    township = Area.objects.filter(parent=county).order_by("code").first()
    for number in range(200, 220):  # the villages the county's entries name
        Area.objects.get_or_create(
            code=f"{township.code[:9]}{number:03d}",
            defaults={"name": f"村{number}", "level": "village", "parent": township},
        )
    officer, _ = User.objects.get_or_create(
        username="bench_county", defaults={"role": "county_officer", "area": county}
    )
    before = measure(officer, args.writes, args.requests)
    print(f"  empty log: a write {before['write_ms']:.2f} ms, the page {before['page_ms']:.1f} ms")
    print(f"  loading 12 months × {args.per_month:,} entries ({args.county_share:,} of 利辛县) …")
    loaded = load_year(args.per_month, args.county_share)
    after = measure(officer, args.writes, args.requests)
    per_entry = loaded["bytes"] / max(1, loaded["rows"])
    national = READS_PER_WORKING_DAY * WORKING_DAYS
    print(
        f"  loaded {loaded['rows']:,} entries in {loaded['load_s']:.0f} s, "
        f"{loaded['partitions']} partitions, {loaded['bytes'] / 2**30:.1f} GiB with indexes: "
        f"{per_entry:.0f} bytes an entry"
    )
    print(f"  a year's log: a write {after['write_ms']:.2f} ms, the page {after['page_ms']:.1f} ms")
    print(
        f"  a national year ({READS_PER_WORKING_DAY:,} reads a working day × {WORKING_DAYS}): "
        f"{national:,} entries, about {national * per_entry / 2**40:.1f} TiB with indexes "
        f"({national * per_entry / 12 / 2**30:,.0f} GiB a month's partition)"
    )
    return 0


def main() -> int:
    args = parse_args()
    if args.worker:
        return worker(args)
    url = database_url(args.pg_url, DATABASE)
    env = django_env(url)
    env.setdefault("SHOUHU_DEMO", "1")
    heading("Shouhu: a year of the audit log (PostgreSQL)", f"database {DATABASE}")
    recreate_database(args.pg_url, DATABASE)
    try:
        migrate_s, _ = run_manage(env, "migrate", "--noinput", "--verbosity", "0")
        print(f"  migrate {migrate_s:.1f} s")
        os.environ.update(env)
        import subprocess

        command = [sys.executable, __file__, "--worker", "--pg-url", args.pg_url]
        command += ["--per-month", str(args.per_month), "--county-share", str(args.county_share)]
        command += ["--writes", str(args.writes), "--requests", str(args.requests)]
        return subprocess.run(command, env=env).returncode
    finally:
        if not args.keep:
            drop_database(args.pg_url, DATABASE)


if __name__ == "__main__":
    sys.exit(main())
