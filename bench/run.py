"""Shouhu benchmark: seed time, server time and SQL queries of the main pages, roster import.

Run with `make bench` (or `.venv/bin/python bench/run.py [--quick] [--requests N]`).
Prints figures, not pass/fail: each is marked OK or SLOW against its target. It works on
a temporary SQLite database and never touches var/shouhu.sqlite3. See bench/README.md.
"""

import argparse
import gc
import math
import platform
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from common import (
    existing_sqlite,
    heading,
    migrate_and_seed,
    plain_static_files,
    setup_django,
    temporary_sqlite,
    text_table,
)

SEED_TARGET_S = 60.0  # manage.py seed_demo --scale county on a fresh database
PAGE_TARGET_MS = 150.0  # median server time of a page or list, SQLite, county scale
IMPORT_TARGET_S = 60.0  # check and save a roster of IMPORT_ROWS children, as the county officer
IMPORT_ROWS = 25_000
IMPORT_SEED = 20261128  # random.Random seed of the imported roster (the demo seed is 341623)
ROLES = ["county", "township", "director", "director2", "leader", "volunteer"]
CHILD_ROLES = ["county", "township", "director"]  # roles whose child registry pages are timed


@dataclass
class Row:
    role: str
    page: str
    path: str
    status: int = 0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    queries: str = ""
    kib: float = 0.0
    error: str = ""

    @property
    def verdict(self) -> str:
        if self.error:
            return "ERROR"
        return "OK" if self.median_ms < PAGE_TARGET_MS else "SLOW"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 requests and 1 warm-up per page")
    parser.add_argument("--requests", type=int, help="timed requests per page (default 30)")
    parser.add_argument("--warmups", type=int, help="untimed requests per page (default 3)")
    parser.add_argument(
        "--import-rows",
        type=int,
        default=IMPORT_ROWS,
        help=f"children in the imported roster (default {IMPORT_ROWS})",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument(
        "--seed-only", action="store_true", help="only migrate and seed, then print the counts"
    )
    parser.add_argument(
        "--database",
        help="an already seeded SQLite database (one kept by --keep): no seeding, no import",
    )
    parser.add_argument(
        "--pages",
        help="only the pages whose name contains one of these words (comma-separated), "
        "e.g. 'applications,gap report,duplicates'",
    )
    parser.add_argument("--no-import", action="store_true", help="skip the roster import")
    args = parser.parse_args()
    if args.requests is None:
        args.requests = 10 if args.quick else 30
    if args.warmups is None:
        args.warmups = 1 if args.quick else 3
    if args.requests < 1 or args.warmups < 0 or args.import_rows < 1:
        parser.error("--requests and --import-rows must be at least 1, --warmups at least 0")
    return args


def p95(samples: list[float]) -> float:
    """95th percentile by the nearest-rank method (with 30 samples: the 29th smallest)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(client, row: Row, requests: int, warmups: int, headers: dict) -> Row:
    """Warm up, count the queries of two requests, then time `requests` requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmups):
        client.get(row.path, headers=headers)
    counts = []
    for _ in range(2):  # twice, to see that the count does not change from one request to the next
        with CaptureQueriesContext(connection) as captured:
            response = client.get(row.path, headers=headers)
        counts.append(len(captured.captured_queries))
    row.status = response.status_code
    row.queries = "/".join(str(n) for n in dict.fromkeys(counts))  # "7", or "8/7" if it changed
    row.kib = len(response.content) / 1024
    exc_info = getattr(response, "exc_info", None)
    if row.status >= 500:
        row.error = repr(exc_info[1]) if exc_info else f"HTTP {row.status}"
        return row
    gc.collect()  # so that garbage left by the previous page is not collected during this one
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(row.path, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
    row.median_ms = statistics.median(samples)
    row.p95_ms = p95(samples)
    return row


def page_plan() -> list[Row]:
    """Each demo role's pages, then the API lists for the county officer."""
    from areas.codes import Level
    from areas.models import Area
    from demo.seed import SEAT_TOWNSHIP
    from people.models import User

    rows = []
    for username in ROLES:
        user = User.objects.select_related("area").get(username=username)
        code = user.area.code
        rows += [Row(username, "home", "/"), Row(username, "area", f"/areas/{code}/")]
        if username == "county":
            rows.append(Row(username, "area: township", f"/areas/{SEAT_TOWNSHIP}/"))
        if username == "township":
            village = (
                Area.objects.filter(parent=user.area, level=Level.VILLAGE).order_by("code").first()
            )
            rows.append(Row(username, "area: village", f"/areas/{village.code}/"))
        rows += [
            Row(username, "homes", "/homes/"),
            Row(username, "people", "/people/"),
            Row(username, "responsibility", f"/responsibility/{code}/"),
            Row(username, "gaps", "/areas/gaps/"),
        ]
        if username == "county":
            rows.append(Row(username, "audit", "/audit/"))
            # The register's housekeeping (issue 16): the county's likely duplicates.
            rows.append(Row(username, "likely duplicates", "/registry/duplicates/"))
            rows.append(Row(username, "handovers", "/registry/handovers/"))
        if username in CHILD_ROLES:
            rows += child_rows(user)
            rows += care_rows(user)
            rows += round_rows(user)
            rows += relief_and_file_rows(user)
            rows += [
                Row(username, "dashboard", f"/dashboard/{code}/"),
                Row(username, "reports", f"/dashboard/{code}/reports/"),
            ]
            rows += social_rows(user)
        if username == "volunteer":
            rows += helper_rows(user)
    for name in ("areas", "people", "service-points", "children", "visits", "activities"):
        rows.append(Row("county", f"api: {name}", f"/api/v1/{name}/"))
    rows.append(Row("director", "api: worklist", "/api/v1/worklist/"))
    rows.append(Row("county", "api: stats", "/api/v1/stats/"))
    return rows


def social_rows(user) -> list[Row]:
    """Social forces and reports of concern as staff meet them."""
    from children.models import Child
    from concerns.models import ConcernReport

    name, code = user.username, user.area.code
    rows = [
        Row(name, "helpers", "/social/helpers/"),
        Row(name, "organisations", "/social/organisations/"),
        Row(name, "reports of concern", "/reports/"),
        Row(name, "reports: inbox", "/reports/inbox/"),
        Row(name, "reports: summary", f"/reports/summary/{code}/"),
    ]
    report = ConcernReport.objects.visible_to(user).order_by("pk").first()
    if report is not None:
        rows.append(Row(name, "report of concern", f"/reports/{report.pk}/"))
    child = Child.objects.visible_to(user).filter(pairings__isnull=False).order_by("pk").first()
    if child is not None:
        rows.append(Row(name, "social: child", f"/social/children/{child.pk}/"))
    return rows


def helper_rows(user) -> list[Row]:
    """A volunteer's own pages: the paired children and one of them."""
    from social.services import paired_children

    rows = [Row(user.username, "my paired children", "/social/mine/")]
    child = paired_children(user).order_by("pk").first()
    if child is not None:
        rows.append(Row(user.username, "paired child", f"/social/mine/{child.pk}/"))
    rows.append(Row("anonymous", "public report page", "/reports/public/"))
    return rows


def care_rows(user) -> list[Row]:
    """Care work of one user: worklist, activities, compliance and its drill-downs."""
    name, code = user.username, user.area.code
    rows = [
        Row(name, "worklist", "/care/worklist/"),
        Row(name, "activities", "/care/activities/"),
        Row(name, "compliance", f"/care/compliance/{code}/"),
        Row(name, "compliance: overdue", f"/care/compliance/{code}/children/special_overdue/"),
    ]
    if name == "township":
        rows.append(Row(name, "compliance: by director", f"/care/compliance/{code}/?list=1"))
    return rows


def round_rows(user) -> list[Row]:
    """The open quarterly round as each level meets it: progress, a township's returns, the
    village's walk, the township's review of a submitted return, the quarterly figures."""
    from rounds.models import Round, VillageReturn

    name, code = user.username, user.area.code
    the_round = Round.objects.open().first()
    if the_round is None:
        raise SystemExit("the demo has no open round: is the seed without rounds?")
    rows = [Row(name, "rounds", "/rounds/"), Row(name, "figures", f"/rounds/figures/{code}/")]
    if name == "county":
        rows.append(Row(name, "round", f"/rounds/{the_round.pk}/"))
    if name == "township":
        rows.append(Row(name, "round: township", f"/rounds/{the_round.pk}/townships/{code}/"))
        submitted = (
            VillageReturn.objects.visible_to(user)
            .filter(round=the_round, state="submitted")
            .order_by("pk")
            .first()
        )
        if submitted is not None:
            rows.append(Row(name, "round: review", f"/rounds/returns/{submitted.pk}/review/"))
    if name == "director":
        own = VillageReturn.objects.get(round=the_round, area=user.area)
        rows.append(Row(name, "round: walk", f"/rounds/returns/{own.pk}/"))
    return rows


def relief_and_file_rows(user) -> list[Row]:
    """Relief measures, a child's relief section, village files and the gap report."""
    from areas.codes import Level
    from areas.models import Area
    from children.models import Child

    name, area = user.username, user.area
    rows = [
        Row(name, "relief", "/relief/measures/"),
        Row(name, "relief: current", "/relief/measures/?status=current"),
        Row(name, "applications", "/applications/"),
        Row(name, "applications: overdue", "/applications/?overdue=on"),
        Row(name, "applications: report", "/applications/report/"),
        Row(name, "gap report", "/files/gaps/"),
        Row(name, "files", f"/files/{area.code}/"),
    ]
    if area.level == Level.TOWNSHIP:
        village = Area.objects.filter(parent=area, level=Level.VILLAGE).order_by("code")[0]
        rows.append(Row(name, "files: village", f"/files/{village.code}/"))
    child = Child.objects.visible_to(user).active().filter(care_level="special")
    child = child.order_by("pk").first()
    if child is not None:
        rows.append(Row(name, "relief: child", f"/relief/children/{child.pk}/"))
    return rows


def child_rows(user) -> list[Row]:
    """The child registry of one user: the roster, unfiltered and filtered, and a child's page."""
    from areas.codes import Level
    from areas.models import Area
    from children.models import Child
    from demo.seed import SEAT_TOWNSHIP

    name = user.username
    rows = [
        Row(name, "children", "/children/"),
        Row(name, "children: category", "/children/?category=left_behind&care_level=special"),
        Row(name, "children: search", "/children/?q=wang"),
        Row(name, "children: age", "/children/?age=6-13"),
    ]
    if user.area.level == Level.COUNTY:
        rows.append(Row(name, "children: township", f"/children/?area={SEAT_TOWNSHIP}"))
    elif user.area.level == Level.TOWNSHIP:
        village = Area.objects.filter(parent=user.area, level=Level.VILLAGE).order_by("code")[0]
        rows.append(Row(name, "children: village", f"/children/?area={village.code}"))
    child = Child.objects.visible_to(user).active().order_by("pk").first()
    if child is None:
        raise SystemExit(f"no child is visible to {name}: is the demo seed without children?")
    rows.append(Row(name, "child", f"/children/{child.pk}/"))
    return rows


def connection_open_ms() -> float:
    """Median time to open the SQLite connection (with its PRAGMAs), as each real request does.

    Production settings use CONN_MAX_AGE=0 for SQLite, so every request opens a connection;
    the test client keeps it open, so the page figures leave this out.
    """
    from django.db import connection

    samples = []
    for _ in range(20):
        connection.close()
        start = time.perf_counter()
        connection.ensure_connection()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def roster_values(row) -> dict:
    """One generated child as the roster's columns (key → value in the registry's terms)."""
    values = {
        **row.child,
        "village_code": row.child["area"].code,
        "id_number": row.id_number,
    }
    for role, parent in row.parents.items():
        values.update({f"{role}.{key}": value for key, value in parent.items()})
    if row.caregiver:
        values.update({f"caregiver.{key}": value for key, value in row.caregiver.items()})
    return values


def roster_workbook(rows) -> bytes:
    """The rows as a user's .xlsx: Chinese headers and labels, dates as date cells, identity
    numbers and phone numbers as text, empty cells left empty (as template_workbook shows).
    Columns that `generate` leaves out (income sources, parents' last return, …) stay empty."""
    import io

    from django.utils import translation
    from django.utils.translation import gettext as _
    from openpyxl import Workbook

    from children.tabular import COLUMNS

    with translation.override("zh-hans"):
        header = [str(c.label) for c in COLUMNS]
        labels = {
            c.key: {value: str(label) for value, label in c.choices.choices}
            for c in COLUMNS
            if c.choices
        }
        yes_no = {True: _("yes"), False: _("no")}
        title = _("Children")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for row in rows:
        values = roster_values(row)
        cells = []
        for column in COLUMNS:
            value = values.get(column.key)
            if value is None or value == "" or value == []:
                cells.append(None)
            elif column.kind == "choice":
                cells.append(labels[column.key][value])
            elif column.kind == "multi":  # several values in one cell, as in the template
                cells.append("、".join(labels[column.key][v] for v in value))
            elif column.kind == "bool":
                cells.append(yes_no[bool(value)])
            else:  # text as str, dates as date cells (yyyy-mm-dd), ints as numbers
                cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bench_import(count: int, seed: int) -> dict:
    """Build a `count`-row roster workbook, then time checking it and saving it as `county`."""
    import random

    from django.utils.translation import gettext as _

    from areas.codes import Level
    from areas.models import Area
    from children.imports import check_file, preview, save_rows
    from children.models import Child
    from demo.children import generate
    from demo.seed import COUNTY
    from people.models import User

    result = {}
    villages = list(
        Area.objects.filter(level=Level.VILLAGE, code__startswith=COUNTY)
        .select_related("parent")
        .order_by("code")
    )
    start = time.perf_counter()
    generated = generate(villages, count, random.Random(seed), sequence_offset=300)
    content = roster_workbook(generated)
    result["build_s"] = time.perf_counter() - start
    result["villages"] = len(villages)
    result["kib"] = len(content) / 1024
    del generated

    user = User.objects.select_related("area").get(username="county")
    result["before"] = Child.objects.count()
    gc.collect()
    start = time.perf_counter()
    checked, report = check_file(user, content)
    result["check_s"] = time.perf_counter() - start
    result["report"] = report
    result["rows"] = len(checked)
    # In the language the report is written in (the process's default language).
    known_person = _("This child (name, birth date, village) is already registered.")
    known_number = _("This identity number is already registered.")
    messages = [m for r in checked for _column, m in r.errors]
    result["known_person"] = messages.count(known_person)
    result["known_number"] = messages.count(known_number)
    if "preview" not in report:
        # check_file classifies every row for its preview only when no row has an error; time
        # that step on its own so that (a) can be compared with an error-free file's.
        start = time.perf_counter()
        try:
            preview(checked)
        except Exception as exc:  # a row with errors may lack what classifying needs
            result["preview_error"] = repr(exc)
        result["preview_s"] = time.perf_counter() - start

    gc.collect()
    start = time.perf_counter()
    try:
        ids = save_rows(user, checked)
    except Exception as exc:  # the transaction rolled back; report it, go on
        result["save_error"] = repr(exc)
        ids = []
    result["save_s"] = time.perf_counter() - start
    result["saved"] = len(ids)
    result["after"] = Child.objects.count()
    return result


def print_import(result: dict, count: int, seed: int) -> bool:
    """Section 3; returns whether the import went through (saved every row)."""
    report = result["report"]
    total = result["check_s"] + result["save_s"]
    verdict = "ERROR" if "save_error" in result else "OK" if total < IMPORT_TARGET_S else "SLOW"
    print("3. Registry import: a roster workbook checked and saved as the county officer")
    print(
        f"  workbook: demo.children.generate(villages, {count}, random.Random({seed}), "
        f"sequence_offset=300) over {result['villages']} villages, written with openpyxl "
        f"({result['kib'] / 1024:.1f} MiB, built in {result['build_s']:.1f} s, not timed below)"
    )
    print(
        f"  rows {result['rows']:,}; rows with errors {report['rows_with_errors']:,}; "
        f"children registered before {result['before']:,}, after {result['after']:,}"
    )
    print(
        f"  rows colliding with registered children (kept in the file): {result['known_person']} "
        f"same name, birth date and village; {result['known_number']} same identity number"
    )
    preview = report.get("preview")
    if preview:  # check_file's dry-run counts, shown to the user before saving
        counts = ", ".join(f"{k} {v:,}" for k, v in preview["counts"].items())
        print(f"  check_file's preview of what saving registers: {counts}")
    errors = len(report["errors"]) + report.get("more_errors", 0)
    if errors:
        print(f"  first {min(10, errors)} of {errors:,} errors:")
    for error in report["errors"][:10]:
        print(f"    row {error['row']}, {error['column']}: {error['message']}")
    print(f"  (a) check_file: read and check every row  {result['check_s']:6.1f} s")
    if "preview_s" in result:
        print(
            "      check_file skipped its preview (every row classified) because a row has an "
            f"error; preview() alone: {result['preview_s']:.1f} s"
            + (f" ({result['preview_error']})" if "preview_error" in result else "")
        )
    print(f"  (b) save_rows: all-or-nothing save        {result['save_s']:6.1f} s")
    print(
        f"  total (a) + (b)                           {total:6.1f} s   "
        f"target < {IMPORT_TARGET_S:.0f} s   {verdict}"
    )
    if "save_error" in result:
        print(f"  ERROR save_rows: {result['save_error']}")
        return False
    print(f"  saved {result['saved']:,} children")
    if report["rows_with_errors"]:
        print(
            "  (save_rows does not look at the errors; on the web, run_save would refuse this "
            "file, all or nothing)"
        )
    print(
        "  on the web, saving runs run_save, which checks the file again before save_rows: "
        f"about {2 * result['check_s'] + result['save_s']:.0f} s from upload to saved"
    )
    return result["saved"] == result["rows"]


def print_table(rows: list[Row]) -> None:
    headers = ["role", "page", "path", "status", "median ms", "p95 ms", "queries", "KiB", "target"]
    cells = [
        [
            r.role,
            r.page,
            r.path,
            str(r.status),
            f"{r.median_ms:.1f}" if not r.error else "-",
            f"{r.p95_ms:.1f}" if not r.error else "-",
            r.queries,
            f"{r.kib:.1f}",
            r.verdict,
        ]
        for r in rows
    ]
    text_table(headers, cells, numeric={3, 4, 5, 6, 7}, groups=[r.role for r in rows])
    for row in rows:
        if row.error:
            print(f"  ERROR {row.role} {row.path}: {row.error}")


def main() -> int:
    args = parse_args()
    started = time.perf_counter()
    # A kept database is used as it is (its folder is kept too); otherwise a new one.
    # Seeding takes a minute, so measuring a few pages again is quicker on a kept one.
    database = Path(args.database).resolve() if args.database else None
    if database is not None and not database.is_file():
        raise SystemExit(f"no database at {database}")
    place = (
        existing_sqlite(database)
        if database is not None
        else temporary_sqlite("shouhu-bench-", keep=args.keep)
    )
    with place as (tmpdir, db_path, env):
        heading(
            "Shouhu benchmark",
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        )
        print(f"  {'kept' if database else 'temporary'} database: {db_path}")
        print()

        # 1. Seed time, in subprocesses (as a developer runs it), on a fresh migrated database.
        if database is None:
            migrate_s, seed_s, seed_out = migrate_and_seed(env)
            seed_ok = "OK" if seed_s < SEED_TARGET_S else "SLOW"
            print("1. Seeding (wall time of the manage.py subprocess, Python start-up included)")
            print(f"  migrate (fresh database)      {migrate_s:6.1f} s")
            print(
                f"  seed_demo --scale county      {seed_s:6.1f} s   "
                f"target < {SEED_TARGET_S:.0f} s   {seed_ok}"
            )
            print(f"  {seed_out}")
            print()
            if args.seed_only:
                return 0 if seed_s < SEED_TARGET_S else 1

        # 2. Pages, in-process with the test client against the seeded database.
        setup_django(env)
        import logging

        from django.test import Client

        # 404s of the volunteer's pages would log a warning per request.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        static_root = tmpdir / "static"
        static_root.mkdir(exist_ok=True)
        plain_static_files(static_root)
        from people.models import User
        from tests.personas import verify_session

        rows = page_plan()
        if args.pages:
            wanted = [word.strip() for word in args.pages.split(",") if word.strip()]
            rows = [r for r in rows if any(word in r.page for word in wanted)]
        clients = {}
        for username in ROLES:
            client = Client(raise_request_exception=False)
            user = User.objects.get(username=username)
            client.force_login(user)
            verify_session(client, user)  # past the two-factor code step, as after a login
            clients[username] = client
        clients["anonymous"] = Client(raise_request_exception=False)
        for row in rows:
            headers = {"Accept": "application/json"} if row.path.startswith("/api/") else {}
            measure(clients[row.role], row, args.requests, args.warmups, headers)
        open_ms = connection_open_ms()

        print("2. Pages: server time per request, in-process (django.test.Client, DEBUG=False)")
        print(
            f"  {args.requests} timed requests after {args.warmups} warm-up(s) per page; "
            'SQL queries of one request ("8/7" if two requests differed)'
        )
        print(f"  target: median < {PAGE_TARGET_MS:.0f} ms on SQLite at county scale")
        print()
        print_table(rows)
        print()
        slow = [r for r in rows if r.verdict != "OK"]
        print(
            f"  {len(rows) - len(slow)} of {len(rows)} pages OK"
            + (f"; not OK: {', '.join(f'{r.role} {r.path}' for r in slow)}" if slow else "")
        )
        print(
            f"  not included above: opening the SQLite connection, which each real request "
            f"does (CONN_MAX_AGE=0): {open_ms:.2f} ms"
        )
        print()

        # 3. Import, in-process, into the same database (after the pages, which it would change).
        if database is not None or args.no_import:
            print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
            return 1 if any(r.error for r in rows) else 0
        imported = bench_import(args.import_rows, IMPORT_SEED)
        import_ok = print_import(imported, args.import_rows, IMPORT_SEED)
        print()
        print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
        return 1 if any(r.error for r in rows) or not import_ok else 0


if __name__ == "__main__":
    sys.exit(main())
