"""Village files benchmark: time to build the largest township's file (一村一档) as PDF and xlsx.

Run with `.venv/bin/python bench/village_files.py [--repeat N] [--keep] [--no-relief]`
(after `export SHOUHU_DEMO=1`). Like bench/run.py it seeds the county-scale demo into a
temporary SQLite database (never var/shouhu.sqlite3) and prints figures marked OK or SLOW
against the target: a township's file in under 30 s.

When the demo seed has registered no relief measures in the largest township, the
benchmark first adds them (unless `--no-relief`), more than a real township would hold:
two current measures for every special-attention child, one for every other child in
difficulty, and a current assistance contact for every child.
"""

import argparse
import datetime as dt
import gc
import io
import statistics
import sys
import time

# bench/run.py: the same temporary database, settings and manage.py runner.
from common import (
    heading,
    migrate_and_seed,
    plain_static_files,
    setup_django,
    temporary_sqlite,
)

TARGET_S = 30.0  # one township's file, PDF or xlsx, from the database to the bytes


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each step")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument(
        "--no-relief", action="store_true", help="do not add relief measures and contacts"
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def largest_township():
    """The township with the most active children, and its count."""
    from django.db.models import Count

    from areas.models import Area
    from children.models import Child

    row = (
        Child.objects.active()
        .values("area__parent_id")
        .annotate(n=Count("id"))
        .order_by("-n", "area__parent_id")
        .first()
    )
    return Area.objects.select_related("parent").get(pk=row["area__parent_id"]), row["n"]


def add_relief(township) -> tuple[int, int]:
    """Current measures and contacts for the township's children (see the module docstring)."""
    from children.choices import CareLevel
    from children.models import Child
    from relief.models import AssistanceContact, Programme, ReliefMeasure

    county = township.parent
    programmes = [
        Programme.objects.get_or_create(
            county=county,
            code=code,
            defaults={"name": name, "standard_amount": amount, "payment": "monthly"},
        )[0]
        for code, name, amount in (
            ("bench-orphan", "孤儿基本生活费", 1200),
            ("bench-fuc", "事实无人抚养儿童基本生活补贴", 1200),
            ("bench-dibao", "最低生活保障", 400),
        )
    ]
    children = list(Child.objects.within(township.prefix).active())
    measures, contacts = [], []
    start = dt.date(2026, 1, 1)
    for i, child in enumerate(children):
        count = 2 if child.care_level == CareLevel.SPECIAL else 1 if child.in_difficulty else 0
        for k in range(count):
            programme = programmes[(i + k) % len(programmes)]
            measures.append(
                ReliefMeasure(
                    child=child,
                    programme=programme,
                    amount=programme.standard_amount,
                    start_month=start,
                    status="active",
                    provider_name="利辛县民政局",
                )
            )
        contacts.append(
            AssistanceContact(
                child=child,
                name=f"联系人{i % 97:02d}",
                work_unit="村民委员会",
                role="village_cadre",
                phone=f"139{i:08d}",
                since=start,
            )
        )
    ReliefMeasure.objects.bulk_create(measures, batch_size=2000)
    AssistanceContact.objects.bulk_create(contacts, batch_size=2000)
    return len(measures), len(contacts)


def timed(fn, repeat: int):
    """Run fn `repeat` times; return the last result and the times in seconds."""
    samples, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return result, samples


def fmt(samples) -> str:
    median = statistics.median(samples)
    return f"median {median:6.2f} s  (min {min(samples):.2f}, max {max(samples):.2f})"


def verdict(seconds: float) -> str:
    return "OK" if seconds < TARGET_S else "SLOW"


def main() -> int:
    args = parse_args()
    started = time.perf_counter()
    with temporary_sqlite("shouhu-bench-files-", keep=args.keep) as (tmpdir, db_path, env):
        heading("Shouhu benchmark: village files (一村一档)", f"temporary database {db_path}")
        migrate_s, seed_s, seed_out = migrate_and_seed(env)
        print(f"  migrate {migrate_s:.1f} s; seed_demo --scale county {seed_s:.1f} s")
        print(f"  {seed_out}")
        print()

        setup_django(env)
        from django.db import connection
        from django.db.models import Count
        from django.test.utils import CaptureQueriesContext
        from django.utils import translation

        from areas.models import Area
        from children.models import Child
        from villagefiles.data import township_file, village_file
        from villagefiles.render import to_pdf, to_xlsx

        translation.activate("zh-hans")  # the files as the county's users download them
        township, children = largest_township()
        villages = Area.objects.filter(parent=township).count()
        print(
            f"Largest township: {township.name} {township.code}: {villages} villages, "
            f"{children:,} active children"
        )
        from relief.models import AssistanceContact, ReliefMeasure

        held = ReliefMeasure.objects.within(township.prefix).current().count()
        if not args.no_relief and not held:
            measures, contacts = add_relief(township)
            print(f"  added {measures:,} current relief measures and {contacts:,} contacts")
        else:
            contacts = AssistanceContact.objects.within(township.prefix).current().count()
            print(f"  it holds {held:,} current relief measures and {contacts:,} contacts")
        print()

        print(f"1. The township's file ({args.repeat} timed runs per step)")
        with CaptureQueriesContext(connection) as captured:
            township_file(township, full_phone=False)
        data, data_s = timed(lambda: township_file(township, full_phone=False), args.repeat)
        pdf, pdf_s = timed(lambda: to_pdf(data), args.repeat)
        xlsx, xlsx_s = timed(lambda: to_xlsx(data), args.repeat)
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(f"  gather (SQL, {len(captured.captured_queries)} queries)  {fmt(data_s)}")
        print(f"  render PDF ({pages} pages, {len(pdf) / 1024:,.0f} KiB)  {fmt(pdf_s)}")
        print(f"  render xlsx ({len(xlsx) / 1024:,.0f} KiB)  {fmt(xlsx_s)}")
        total_pdf = statistics.median(data_s) + statistics.median(pdf_s)
        total_xlsx = statistics.median(data_s) + statistics.median(xlsx_s)
        print(f"  PDF total  {total_pdf:6.2f} s   target < {TARGET_S:.0f} s   {verdict(total_pdf)}")
        print(
            f"  xlsx total {total_xlsx:6.2f} s   target < {TARGET_S:.0f} s   {verdict(total_xlsx)}"
        )
        print()

        # The download as a user makes it: the whole Django stack, the audit entry included.
        from django.test import Client

        from people.models import User
        from tests.personas import verify_session

        (tmpdir / "static").mkdir()
        plain_static_files(tmpdir / "static")

        client = Client(raise_request_exception=True)
        officer = User.objects.get(username="county")
        client.force_login(officer)
        verify_session(client, officer)  # past the two-factor code step, as after a login
        print("2. Downloads through the view (as the county officer, audited)")
        failed = False
        for kind in ("pdf", "xlsx"):
            path = f"/files/{township.code}.{kind}"
            response, samples = timed(lambda p=path: client.get(p), args.repeat)
            status = response.status_code
            failed = failed or status != 200
            print(
                f"  {path}  HTTP {status}  {fmt(samples)}   {verdict(statistics.median(samples))}"
            )

        village = (
            Area.objects.filter(parent=township)
            .annotate(n=Count("children_registered"))
            .order_by("-n")
            .first()
        )
        village = Area.objects.select_related("parent").get(pk=village.pk)
        count = Child.objects.filter(area=village).active().count()
        file, gather_s = timed(lambda: village_file(village, full_phone=False), args.repeat)
        _pdf, village_pdf_s = timed(lambda: to_pdf(file), args.repeat)
        print()
        print(f"3. Its largest village, {village.name} ({count} children)")
        print(f"  gather {fmt(gather_s)}; PDF {fmt(village_pdf_s)}")
        print()
        print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
