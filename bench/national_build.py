"""The build of bench/national.py: the whole country in a PostgreSQL database, resumable.

The build is a list of named steps. Each step runs in one transaction that also writes its
name, its time and what it counted into the ledger (`bench_build_step`, a table of the
database being built), so a build stopped at any moment (a signal, a reboot) goes on from the
first step that had not committed: `bench/national.py` sees an unfinished ledger and resumes.

Where the rows come from:
- villages, accounts, service points, posts: generated in Python, sent with COPY (one step
  each; the same at every scale);
- children with their families: generated in Python by the demo's generator and the
  importer's own `build` (encrypted identity numbers, categories, care levels), in chunks of
  whole counties that several processes take in parallel (`--streams`, default 2), each chunk
  COPY'd in its own step;
- visits: generated inside PostgreSQL, one `INSERT … SELECT` over `generate_series` per
  calendar quarter (oldest first, so ids rise with time as in a real registry), on several
  connections at once, with a deterministic hash in place of a random generator: the same
  scale gives the same rows whatever was interrupted;
- visit summaries, rounds and their sums: `INSERT … SELECT` on the server;
- secondary indexes and foreign keys: dropped before the load, each made again as one step.
"""

import collections
import datetime as dt
import functools
import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

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


# ==========================================================================================
# The ledger: what the build has done, in the database it builds
# ==========================================================================================

LEDGER = "bench_build_step"
FINISHED = "build: finished"
ID_STRIDE = 100_000  # child ids of chunk k: k * ID_STRIDE + 1, + 2, … (a chunk holds fewer)


def say(message: str) -> None:
    print(f"  {message}", flush=True)


def raw_cursor():
    """A cursor of Django's psycopg connection (the one the ORM uses)."""
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.cursor()


def mark(cursor, name: str, seconds: float, data: dict | None = None) -> None:
    """Write a finished step into the ledger (in the caller's transaction)."""
    cursor.execute(
        f"INSERT INTO {LEDGER} (name, seconds, data) VALUES (%s, %s, %s)",
        [name, seconds, json.dumps(data or {})],
    )


def counted(result) -> dict:
    """What a step's work returned, if it is its counts (cursor.execute returns the cursor)."""
    return result if isinstance(result, dict) else {}


def as_dict(data) -> dict:
    # Django's connection reads jsonb as text (its JSONField decodes it).
    return json.loads(data) if isinstance(data, str) else data


class Ledger:
    """The steps the build has finished, read from and written to `bench_build_step`."""

    def __init__(self):
        self.cursor = raw_cursor()
        self.cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {LEDGER} (name text PRIMARY KEY, seconds float8 NOT "
            "NULL, data jsonb NOT NULL DEFAULT '{}', done_at timestamptz NOT NULL DEFAULT now())"
        )

    def get(self, name: str) -> dict | None:
        self.cursor.execute(f"SELECT data FROM {LEDGER} WHERE name = %s", [name])
        row = self.cursor.fetchone()
        return None if row is None else as_dict(row[0])

    def rows(self) -> list[tuple[str, float, dict]]:
        self.cursor.execute(f"SELECT name, seconds, data FROM {LEDGER} ORDER BY done_at, name")
        return [(name, s, as_dict(data)) for name, s, data in self.cursor.fetchall()]

    def step(self, name: str, work, atomic: bool = True) -> dict:
        """Run `work(cursor)` (which returns what it counted) unless the ledger holds `name`;
        in one transaction with its mark, or, for work that cannot run in one (VACUUM),
        marked after it."""
        from django.db import transaction

        done = self.get(name)
        if done is not None:
            return done
        start = time.perf_counter()
        if atomic:
            with transaction.atomic():
                cursor = raw_cursor()
                data = counted(work(cursor))
                mark(cursor, name, time.perf_counter() - start, data)
        else:
            data = counted(work(raw_cursor()))
            mark(raw_cursor(), name, time.perf_counter() - start, data)
        say(f"{name:<56} {time.perf_counter() - start:8.1f} s")
        return data


def run_steps_in_parallel(ledger: Ledger, steps: list, connections: int, atomic=True) -> None:
    """Run steps (name, work(cursor) → counts) that the ledger does not hold on several
    connections of their own at once; each step in one transaction with its mark. The first
    error stops the others from starting a new step and is raised."""
    import psycopg

    pending = collections.deque((n, w) for n, w in steps if ledger.get(n) is None)
    lock, errors = threading.Lock(), []
    url = os.environ["DATABASE_URL"]

    def worker():
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET synchronous_commit = off")
            conn.execute("SET maintenance_work_mem = '512MB'")
            conn.execute("SET work_mem = '64MB'")
            # The planner's estimates of generate_series are far too high: it would spend
            # seconds compiling each statement (JIT) that then runs in less.
            conn.execute("SET jit = off")
            while True:
                with lock:
                    if errors or not pending:
                        return
                    name, work = pending.popleft()
                start = time.perf_counter()
                try:
                    if atomic:
                        with conn.transaction():
                            cursor = conn.cursor()
                            data = counted(work(cursor))
                            mark(cursor, name, time.perf_counter() - start, data)
                    else:
                        data = counted(work(conn.cursor()))
                        mark(conn.cursor(), name, time.perf_counter() - start, data)
                except Exception as error:  # noqa: BLE001 - raised again in the caller
                    with lock:
                        errors.append(error)
                    return
                say(f"{name:<56} {time.perf_counter() - start:8.1f} s")

    threads = [threading.Thread(target=worker) for _ in range(max(1, connections))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


# ==========================================================================================
# Indexes and foreign keys, dropped for the load
# ==========================================================================================


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


def drop_indexes(cursor) -> dict:
    """Drop the secondary indexes and foreign keys of the bulk-loaded tables; what was dropped
    is kept in the ledger, to be made again at the end (building an index once is much
    cheaper than updating it per row; checking a foreign key once per table is cheaper than
    a trigger per row)."""
    saved = {"indexes": [], "foreign_keys": []}
    for table in BULK_TABLES:
        indexes, fks = secondary_indexes(cursor, table), foreign_keys(cursor, table)
        for name, definition in fks:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            saved["foreign_keys"].append([table, name, definition])
        for name, definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
            saved["indexes"].append([table, name, definition])
    return saved


def whole_tree(definition: str) -> str:
    """An index definition that builds on every partition: pg_get_indexdef writes a
    partitioned table's index as `ON ONLY parent`, which makes an invalid index of the
    parent alone and leaves the partitions without one."""
    return definition.replace(" ON ONLY ", " ON ", 1)


def restore_indexes(ledger: Ledger, saved: dict, connections: int) -> None:
    """Each dropped index made again (one step each, on several connections: CREATE INDEX
    takes a lock that lets others build on the same table), then each foreign key added and
    checked (one at a time: adding one locks both tables)."""
    run_steps_in_parallel(
        ledger,
        [
            (f"indexes: {name}", lambda c, d=definition: c.execute(whole_tree(d)))
            for _table, name, definition in saved["indexes"]
        ],
        connections,
    )
    for table, name, definition in saved["foreign_keys"]:
        ledger.step(
            f"foreign keys: {name}",
            lambda c, t=table, n=name, d=definition: c.execute(
                f'ALTER TABLE "{t}" ADD CONSTRAINT "{n}" {d}'
            ),
        )


# ==========================================================================================
# COPY
# ==========================================================================================


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


# ==========================================================================================
# Places and people (the same at every scale)
# ==========================================================================================


def village_weight(code: str) -> float:
    """How many children a village holds, relative to others: the kind of its township, its
    province, village or community, and a spread of its own (a deterministic draw from its
    code, so that any process of the build finds the same weight)."""
    from areas import codes

    kind = codes.township_kind(code[:9])
    weight = TOWNSHIP_KIND_WEIGHT[kind] * PROVINCE_WEIGHT.get(code[:2], 1.0)
    if int(code[9:12]) < 200:
        weight *= COMMUNITY_WEIGHT
    return weight * random.Random(f"{SEED}:{code}").lognormvariate(0, 0.5)


def build_villages(cursor) -> dict:
    """About 12 generated villages under every township of the shipped lists, by COPY.

    Streets (township codes 001–099) hold communities; towns and townships mostly village
    committees (200–399) and a few communities (001–199), as the statistical codes have it.
    """
    from areas import codes
    from areas.models import Area
    from demo import names

    rng = random.Random(SEED)
    townships = list(
        Area.objects.filter(level="township").order_by("code").values_list("id", "code")
    )
    cursor.execute("SELECT coalesce(max(id), 0) FROM areas_area")
    next_id = cursor.fetchone()[0] + 1
    copier = ModelCopier(Area, skip=())
    line = copier.template("id", "code", "name", "parent_id", level="village")
    lines = []
    for township_id, code in townships:
        kind = codes.township_kind(code)
        count = rng.randint(*VILLAGES_PER_TOWNSHIP)
        if kind == "street":
            communities = count
        elif kind == "other":
            communities = rng.randint(0, count)
        else:
            communities = rng.choice((0, 1, 1, 2, 3))
        seen = set()
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
            lines.append(line(next_id, f"{code[:9]}{number:03d}", name, township_id))
            next_id += 1
    return {"villages": copier.copy_lines(cursor, lines), "townships": len(townships)}


def build_people_and_points(cursor, today: dt.date) -> dict:
    """Accounts (a leader per province, an officer per county, a supervisor per township, a
    director in most villages), service points and the responsibility matrix, by COPY."""
    from django.utils import timezone

    from areas.models import Area, ServicePoint
    from demo import names
    from people.models import ResponsibilityPost, User

    rng = random.Random(SEED + 10)
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(8)))
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

    def point(kind, area_id, name):
        point_lines.append(point_line(kind, area_id, name, mobile()))

    def post(area_id, kind):
        if rng.random() < POST_FILLED_RATE:
            post_lines.append(post_line(area_id, kind, rng.choice(people), mobile()))
        else:
            post_lines.append(post_line(area_id, kind, "", ""))

    areas = Area.objects.exclude(level="nation").order_by("code")
    for area_id, code, name, level in areas.values_list("id", "code", "name", "level"):
        if level == "province":
            account(f"leader{code[:2]}", "leader", area_id)
        elif level == "county":
            account(f"county{code[:6]}", "county_officer", area_id)
            point(ServicePoint.Kind.GUIDANCE_CENTER, area_id, f"{name}儿童福利指导中心")
        elif level == "township":
            account(f"sup{code[:9]}", "township_supervisor", area_id)
            point(ServicePoint.Kind.WORKSTATION, area_id, f"{name}儿童福利工作站")
            for kind in ResponsibilityPost.REQUIRED["township"]:
                post(area_id, kind)
        elif level == "village":
            if rng.random() < DIRECTOR_RATE:
                account(f"dir{code}", "director", area_id)
            if rng.random() < HOME_RATE:
                point(ServicePoint.Kind.CHILDRENS_HOME, area_id, f"{name}儿童之家")
            for kind in ResponsibilityPost.REQUIRED["village"]:
                post(area_id, kind)
    return {
        "accounts": users.copy_lines(cursor, user_lines),
        "service points": points.copy_lines(cursor, point_lines),
        "responsibility posts": posts.copy_lines(cursor, post_lines),
    }


# ==========================================================================================
# Children, in chunks of whole counties
# ==========================================================================================


def plan_children(cursor, scale: int) -> dict:
    """Which counties each chunk of children covers, and how many children it holds.

    The children of the nation are shared among the counties by their villages' weights;
    consecutive counties (by code) form a chunk of about CHUNK children. A county never spans
    two chunks, so identity numbers (county code, birth date, sequence) stay unique with
    chunks built in any order, by any process. Chunk 0 is the reference county, filled at
    full density at every scale with its own seed, so that its pages compare like with like.
    The villages' weights go into `bench_plan` for the chunks to read.
    """
    cursor.execute(
        "SELECT v.id, v.code, t.parent_id FROM areas_area v "
        "JOIN areas_area t ON t.id = v.parent_id WHERE v.level = 'village' ORDER BY v.code"
    )
    villages = [(vid, code, county, village_weight(code)) for vid, code, county in cursor]
    county_weight: dict[int, float] = collections.defaultdict(float)
    county_code: dict[int, str] = {}
    for _vid, code, county, weight in villages:
        county_weight[county] += weight
        county_code[county] = code[:6]
    reference = [c for c, code in county_code.items() if code == REFERENCE_COUNTY]
    others = sorted((c for c in county_weight if c not in reference), key=county_code.get)
    national_total = round(NATIONAL_CHILDREN / scale)
    total_weight = sum(county_weight[c] for c in others)
    chunks = [{"counties": reference, "children": REFERENCE_CHILDREN}]
    chunk_of = dict.fromkeys(reference, 0)
    expected = made = 0.0
    current: list[int] = []
    for county in others:
        current.append(county)
        chunk_of[county] = len(chunks)
        expected += national_total * county_weight[county] / total_weight
        if expected - made >= CHUNK or county == others[-1]:
            chunks.append({"counties": current, "children": round(expected) - round(made)})
            made, current = expected, []
    cursor.execute("DROP TABLE IF EXISTS bench_plan")
    cursor.execute(
        "CREATE TABLE bench_plan (village_id int PRIMARY KEY, chunk int NOT NULL, "
        "weight float8 NOT NULL)"
    )
    with cursor.copy("COPY bench_plan (village_id, chunk, weight) FROM STDIN") as copy:
        for vid, _code, county, weight in villages:
            copy.write_row((vid, chunk_of[county], weight))
    cursor.execute("CREATE INDEX ON bench_plan (chunk)")
    return {"chunks": chunks, "national children": national_total}


def chunk_seed(chunk: int) -> int:
    return SEED + 1 if chunk == 0 else SEED + 1000 + chunk


@functools.cache
def _fast_pinyin():
    """Names repeat (surname + one or two characters): each name's pinyin computed once."""
    import children.imports as imports

    imports.pinyin_of = functools.lru_cache(maxsize=None)(imports.pinyin_of)
    return imports


def build_chunk(cursor, chunk: int, count: int, today: dt.date) -> dict:
    """One chunk's children with parents and caregivers, generated (the demo's families and
    mix, the importer's own `build`) and COPY'd; ids from chunk × ID_STRIDE."""
    from django.utils import timezone

    from children.models import Caregiver, Child, Parent

    imports = _fast_pinyin()
    cursor.execute(
        "SELECT v.id, v.code, v.name, v.parent_id, p.weight FROM bench_plan p "
        "JOIN areas_area v ON v.id = p.village_id WHERE p.chunk = %s ORDER BY v.code",
        [chunk],
    )
    villages = [Village(*row) for row in cursor.fetchall()]
    rng = random.Random(chunk_seed(chunk))
    rows = ChildStream(villages, rng).rows(count)
    assign_id_numbers(rows, {})
    history_start = today - dt.timedelta(days=round(HISTORY_YEARS * 365.25))
    children_copier, parents_copier = ModelCopier(Child, skip=()), ModelCopier(Parent)
    caregivers_copier = ModelCopier(Caregiver)
    child_lines, parent_lines, caregiver_lines = [], [], []
    counts = collections.Counter()
    next_child = chunk * ID_STRIDE + 1
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
        if rng.random() < CLOSED_RATE and (today - registered).days > 90:
            child.status = "closed"
            child.closed_on = registered + dt.timedelta(
                days=rng.randint(60, (today - registered).days)
            )
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
    if next_child > (chunk + 1) * ID_STRIDE:
        raise SystemExit(f"chunk {chunk} holds more than {ID_STRIDE:,} children")
    counts["children"] = children_copier.copy_lines(cursor, child_lines)
    counts["parents"] = parents_copier.copy_lines(cursor, parent_lines)
    counts["caregivers"] = caregivers_copier.copy_lines(cursor, caregiver_lines)
    if chunk == 0:
        counts["reference county children"] = counts["children"]
    return dict(counts)


def children_stream(part: int, parts: int) -> None:
    """A process's share of the chunks: those numbered part, part + parts, … not yet built."""
    ledger = Ledger()
    today = dt.date.fromisoformat(ledger.get(STARTED)["today"])
    plan = ledger.get("children: plan")
    cursor = raw_cursor()
    cursor.execute("SET synchronous_commit = off")
    for chunk, spec in enumerate(plan["chunks"]):
        if chunk % parts == part:
            ledger.step(
                f"children: chunk {chunk:04d}",
                lambda c, k=chunk, n=spec["children"]: build_chunk(c, k, n, today),
            )


def build_all_children(ledger: Ledger, streams: int) -> None:
    """The chunks in `streams` processes at once (python is the cost: one core each)."""
    here = Path(__file__).resolve().parent
    command = [sys.executable, str(here / "national.py"), "--worker", "children"]
    processes = [
        subprocess.Popen([*command, "--part", str(n), "--parts", str(streams)])
        for n in range(streams)
    ]
    failed = [p.args for p in processes if p.wait() != 0]
    if failed:
        raise SystemExit(f"a children's stream failed: {failed}")


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


# ==========================================================================================
# Visits, generated inside PostgreSQL
# ==========================================================================================

VISIT_NOTES = {
    "living": "住房漏雨，需修缮",
    "safety": "家中无人看护，孩子独自在家",
    "health": "近期生病，未及时就医",
    "study": "成绩下滑，厌学情绪",
    "psychological": "情绪低落，不愿交流",
}
FOLLOW_UP_ACTION = "已告知乡镇，约定复访"


def visit_inputs(cursor, today: dt.date) -> dict:
    """What the visits are generated from, one narrow row per child (`bench_kid`): village,
    who visits (the village's director, else the township's supervisor), care level, the
    day of registration and the last day visits are made (closing, or today); and
    `bench_u(key, salt)`, a uniform number in [0, 1) from a hash: the same key and salt give
    the same number in every session, so the generated visits do not depend on the order of
    the work."""
    from django.conf import settings

    cursor.execute(
        "CREATE OR REPLACE FUNCTION bench_u(key bigint, salt bigint) RETURNS float8 "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        "$$ SELECT (hashint8extended(key, salt) & 2147483647)::float8 / 2147483648.0 $$"
    )
    cursor.execute("DROP TABLE IF EXISTS bench_kid")
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_kid AS "
        "SELECT c.id::bigint AS id, c.area_id, coalesce(d.id, s.id) AS visitor_id, "
        "c.care_level = 'special' AS special, "
        "(c.created_at AT TIME ZONE %(zone)s)::date AS reg, "
        "coalesce(c.closed_on, %(today)s) AS stop "
        "FROM children_child c JOIN areas_area v ON v.id = c.area_id "
        "LEFT JOIN people_user d ON d.area_id = v.id AND d.role = 'director' "
        "LEFT JOIN people_user s ON s.area_id = v.parent_id AND s.role = 'township_supervisor'",
        {"zone": settings.TIME_ZONE, "today": today},
    )
    rows = cursor.rowcount
    cursor.execute("ANALYZE bench_kid")
    return {"visit inputs": rows}


def visit_quarters(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of every calendar quarter from the registry's start to today."""
    start = today - dt.timedelta(days=round(HISTORY_YEARS * 365.25))
    first = dt.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    quarters = []
    while first <= today:
        nxt = dt.date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
        quarters.append((first, min(nxt - dt.timedelta(days=1), today)))
        first = nxt
    return quarters


def visit_statement() -> str:
    """The INSERT … SELECT that makes one window's visits (parameters first, last, early).

    Special attention: a visit in a calendar month with probability SPECIAL_MONTHLY;
    ordinary: in each year since registration a visit (ORDINARY_YEARLY) and an extra contact
    (ORDINARY_EXTRA, a call or a school visit). A visit finds a concern with CONCERN_RATE
    (urgent: URGENT_RATE), follow-up due in 14 days (2 if urgent) and made with
    FOLLOW_UP_MADE. The visits of days inside the window are kept; the window's base visits
    start 14 days earlier, so that follow-ups of visits just before it are in.
    """
    from django.db import connection

    from care.models import Visit

    aspect_cols = []
    aspect_vals = []
    for aspect in Visit.ASPECTS:
        aspect_cols += [aspect, f"{aspect}_note"]
        aspect_vals.append(f"CASE WHEN r.aspect = '{aspect}' THEN r.level ELSE 'fine' END")
        aspect_vals.append(f"CASE WHEN r.aspect = '{aspect}' THEN r.note ELSE '' END")
    written = {
        "visited_on", "mode", "met_caregiver", "met_parents", *aspect_cols, "problems",
        "actions", "follow_up_on", "created_at", "updated_at", "area_id", "child_id",
        "visitor_id", "id",
    }  # fmt: skip
    template = Visit()
    others = [f for f in Visit._meta.concrete_fields if f.column not in written]
    other_values = []
    for f in others:
        value = template.__dict__[f.attname]
        if f.get_internal_type() == "JSONField":
            other_values.append(f"{sql_literal(json.dumps(value))}::jsonb")
        else:
            other_values.append(f"{sql_literal(value)}::{f.db_type(connection)}")
    notes = ", ".join(f"'{a}', '{n}'" for a, n in VISIT_NOTES.items())
    aspects = ", ".join(f"'{a}'" for a in VISIT_NOTES)
    columns = [
        "visited_on", "mode", "met_caregiver", "met_parents", *aspect_cols, "problems",
        "actions", "follow_up_on", "created_at", "updated_at", "area_id", "child_id",
        "visitor_id", *(f.column for f in others),
    ]  # fmt: skip
    sql = f"""
    INSERT INTO care_visit ({", ".join(columns)})
    WITH base AS (
        -- special attention: a month's visit
        SELECT k.id AS child_id, k.area_id, k.visitor_id, k.stop,
            w.lo + floor(bench_u(k.id * 100000 + w.mi, 2) * (w.hi - w.lo + 1))::int AS day,
            (ARRAY['home', 'home', 'home', 'childrens_home', 'call'])
                [1 + floor(bench_u(k.id * 100000 + w.mi, 3) * 5)::int] AS mode
        FROM bench_kid k
        CROSS JOIN LATERAL generate_series(
            date_trunc('month', greatest(k.reg, %(early)s::date)),
            least(k.stop, %(last)s::date), interval '1 month') AS m(month)
        CROSS JOIN LATERAL (SELECT
            greatest(m.month::date, k.reg) AS lo,
            least((m.month + interval '1 month - 1 day')::date, k.stop) AS hi,
            (extract(year FROM m.month) * 12 + extract(month FROM m.month))::int AS mi) w
        WHERE k.special AND k.reg <= %(last)s AND k.stop >= %(early)s AND w.lo <= w.hi
            AND bench_u(k.id * 100000 + w.mi, 1) < {SPECIAL_MONTHLY}
        UNION ALL
        -- ordinary: the year's visit (kind 1) and an extra contact (kind 2)
        SELECT k.id, k.area_id, k.visitor_id, k.stop,
            y.start + floor(bench_u(k.id * 100000 + c.n * 10 + kind.n, 5)
                * (y.high - y.start + 1))::int,
            CASE WHEN kind.n = 1 THEN (ARRAY['home', 'home', 'call', 'school'])
                    [1 + floor(bench_u(k.id * 100000 + c.n * 10 + kind.n, 6) * 4)::int]
                ELSE (ARRAY['call', 'school'])
                    [1 + floor(bench_u(k.id * 100000 + c.n * 10 + kind.n, 6) * 2)::int] END
        FROM bench_kid k
        CROSS JOIN LATERAL generate_series(
            greatest(0, (%(early)s::date - k.reg) / 365),
            (least(%(last)s::date, k.stop) - k.reg) / 365) AS c(n)
        CROSS JOIN LATERAL (SELECT k.reg + 365 * c.n AS start,
            least(k.reg + 365 * c.n + 364, k.stop) AS high) y
        CROSS JOIN (VALUES (1, {ORDINARY_YEARLY}), (2, {ORDINARY_EXTRA})) AS kind(n, rate)
        WHERE NOT k.special AND k.reg <= %(last)s AND k.stop >= %(early)s
            AND y.start <= y.high
            AND bench_u(k.id * 100000 + c.n * 10 + kind.n, 4)
                < kind.rate * (y.high - y.start + 1) / 365.0
    ),
    found AS (
        SELECT b.*, bench_u(b.child_id * 100000 + (b.day - date '2000-01-01'), 7) AS roll,
            b.child_id * 100000 + (b.day - date '2000-01-01') AS vkey
        FROM base b
    ),
    findings AS (
        SELECT f.*, (ARRAY[{aspects}])[1 + floor(bench_u(f.vkey, 8) * 5)::int] AS aspect,
            CASE WHEN f.roll < {URGENT_RATE} THEN 'urgent' ELSE 'concern' END AS level
        FROM found f WHERE f.roll < {CONCERN_RATE}
    ),
    r AS (
        SELECT f.child_id, f.area_id, f.visitor_id, f.day, f.mode, NULL AS aspect,
            NULL AS level, '' AS note, NULL::date AS follow
        FROM found f WHERE f.roll >= {CONCERN_RATE}
        UNION ALL
        SELECT child_id, area_id, visitor_id, day,
            CASE WHEN level = 'urgent' THEN 'home' ELSE mode END, aspect, level,
            (jsonb_build_object({notes}) ->> aspect),
            day + CASE WHEN level = 'urgent' THEN 2 ELSE 14 END
        FROM findings
        UNION ALL
        -- the follow-up visit, when it was made before the child's visits stopped
        SELECT child_id, area_id, visitor_id, again, 'home', NULL, NULL, '', NULL
        FROM (SELECT x.*, x.day + CASE WHEN x.level = 'urgent'
                THEN 1 + floor(bench_u(x.vkey, 10) * 2)::int
                ELSE 3 + floor(bench_u(x.vkey, 10) * 12)::int END AS again
              FROM findings x WHERE bench_u(x.vkey, 9) < {FOLLOW_UP_MADE}) y
        WHERE again <= stop
    )
    SELECT r.day, r.mode, true, r.mode = 'call', {", ".join(aspect_vals)},
        r.note, CASE WHEN r.aspect IS NULL THEN '' ELSE '{FOLLOW_UP_ACTION}' END, r.follow,
        (r.day + time '16:30') AT TIME ZONE 'Asia/Shanghai',
        (r.day + time '16:30') AT TIME ZONE 'Asia/Shanghai',
        r.area_id, r.child_id, r.visitor_id{"".join(", " + v for v in other_values)}
    FROM r WHERE r.day BETWEEN %(first)s AND %(last)s
    ORDER BY r.day
    """
    return sql


def build_visits(ledger: Ledger, today: dt.date, connections: int) -> None:
    """Every quarter's visits, one step each, on several connections at once."""
    sql = visit_statement()

    def quarter(cursor, first, last):
        params = {"first": first, "last": last, "early": first - dt.timedelta(days=14)}
        cursor.execute(sql, params)
        return {"visits": cursor.rowcount}

    run_steps_in_parallel(
        ledger,
        [
            (
                f"visits: {first:%Y}-Q{(first.month - 1) // 3 + 1}",
                functools.partial(quarter, first=first, last=last),
            )
            for first, last in visit_quarters(today)
        ],
        connections,
    )


def sql_literal(value) -> str:
    """A constant as SQL text (the model's defaults: booleans, NULL, strings, JSON)."""
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def build_summaries(cursor) -> dict:
    """Each visited child's summary (last visit, its follow-up date), as care keeps it."""
    cursor.execute(
        "INSERT INTO care_visitsummary (child_id, last_visit, follow_up) "
        "SELECT DISTINCT ON (child_id) child_id, visited_on, follow_up_on FROM care_visit "
        "ORDER BY child_id, visited_on DESC, follow_up_on DESC NULLS LAST"
    )
    return {"visit summaries": cursor.rowcount}


# ==========================================================================================
# Rounds
# ==========================================================================================


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


def build_rounds(cursor, today: dt.date, quarters: int) -> dict:
    """Approved quarterly rounds of the last `quarters` quarters in every county: the round
    (closed), every village's return (approved) and its snapshot with the quarter's figures
    (as rounds.figures.count makes them, counted in SQL from the children registered and
    not closed at the quarter's end). The children's snapshot rows are not made: no measured
    page reads them. Bulk SQL (INSERT … SELECT) on the server."""
    from django.utils import timezone

    rounds = returns = snapshots = 0
    for year, quarter, start, end in past_quarters(today, quarters):
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
    return {
        "rounds": rounds,
        "village returns": returns,
        "village snapshots": snapshots,
        "township and county sums of rounds": build_round_sums(cursor),
    }


# ==========================================================================================
# The build
# ==========================================================================================

STARTED = "build: started"
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


def ensure_nation():
    """The nation's area (000000000000): the shipped lists do not hold it; provinces stay
    roots of the tree."""
    from areas import codes
    from areas.models import Area

    nation, _created = Area.objects.get_or_create(
        code=codes.NATION_CODE, defaults={"name": "全国", "level": codes.Level.NATION}
    )
    return nation


def load_areas(cursor) -> dict:
    from areas.services import load_divisions

    report = load_divisions()
    ensure_nation()
    return {
        "provinces": report.created.get("province", 0),
        "cities": report.created.get("city", 0),
        "counties": report.created.get("county", 0),
    }


def build(scale: int, rounds: int, streams: int) -> dict:
    """Build (or go on building) the country at 1/`scale`; the steps' times and the counts.

    `streams` processes generate children and as many connections generate visits and make
    indexes at once (the machine's cores: the work is Python's, then PostgreSQL's).
    """
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    ledger = Ledger()
    cursor = raw_cursor()
    cursor.execute("SET synchronous_commit = off")
    cursor.execute("SET maintenance_work_mem = '512MB'")
    cursor.execute("SET jit = off")
    if ledger.get(STARTED) is None:
        ledger.step(STARTED, lambda c: {"today": timezone.localdate().isoformat(), "scale": scale})
    else:
        say(f"resuming the build begun earlier ({len(ledger.rows())} steps done)")
    today = dt.date.fromisoformat(ledger.get(STARTED)["today"])
    ledger.step("areas: load_divisions() (shipped lists)", load_areas)
    saved = ledger.step("indexes: drop secondary indexes and foreign keys", drop_indexes)
    ledger.step("areas: villages (COPY)", build_villages)
    ledger.step(
        "people: accounts, service points, posts (COPY)",
        lambda c: build_people_and_points(c, today),
    )
    plan = ledger.step("children: plan", lambda c: plan_children(c, scale))
    if ledger.get("children: every chunk") is None:
        begin = time.perf_counter()
        build_all_children(ledger, streams)
        ledger.step(
            "children: every chunk",
            lambda c: {"chunks": len(plan["chunks"]), "wall_s": time.perf_counter() - begin},
        )
    ledger.step("visits: inputs (bench_kid)", lambda c: visit_inputs(c, today))
    if ledger.get("visits: every quarter") is None:
        begin = time.perf_counter()
        build_visits(ledger, today, streams)
        ledger.step("visits: every quarter", lambda c: {"wall_s": time.perf_counter() - begin})
    ledger.step("visits: summaries", build_summaries)
    if rounds:
        ledger.step(
            f"rounds: {rounds} approved quarters (INSERT … SELECT)",
            lambda c: build_rounds(c, today, rounds),
        )
    if ledger.get("indexes: every one made again") is None:
        begin = time.perf_counter()
        restore_indexes(ledger, saved, streams)
        ledger.step(
            "indexes: every one made again", lambda c: {"wall_s": time.perf_counter() - begin}
        )

    def reset_sequences(c):
        for table in ("areas_area", "people_user", "children_child"):
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )

    ledger.step("sequences: reset after explicit ids", reset_sequences)
    ledger.step("bench tables: dropped", lambda c: c.execute("DROP TABLE IF EXISTS bench_kid"))
    run_steps_in_parallel(
        ledger,
        [(f"VACUUM ANALYZE {t}", lambda c, t=t: c.execute(f'VACUUM (ANALYZE) "{t}"'))
         for t in BULK_TABLES],
        streams,
        atomic=False,
    )  # fmt: skip
    ledger.step(FINISHED, lambda c: {})
    result = summarize(ledger)
    result["worker_s"] = time.perf_counter() - started
    store(connection, result)
    return result


NOT_ROWS = {"scale", "chunks", "national children", "visit inputs"}


def summarize(ledger: Ledger) -> dict:
    """The build's times by kind of step (the parallel ones by their wall time) and counts."""
    steps: dict[str, float] = {}
    counts: collections.Counter = collections.Counter()
    walls = {"children: every chunk": "children", "visits: every quarter": "visits"}
    walls["indexes: every one made again"] = "indexes"
    for name, seconds, data in ledger.rows():
        for key, value in data.items():
            if isinstance(value, int) and key not in NOT_ROWS:
                counts[key] += value
        if name.startswith("children: chunk") or name.startswith("visits: 2"):
            continue
        if (
            name.startswith("indexes: ")
            and name != "indexes: drop secondary indexes and foreign keys"
        ):
            if name in walls:
                steps["indexes: made again (parallel, wall)"] = data["wall_s"]
            continue
        if name.startswith("foreign keys: "):
            steps["foreign keys: added and checked"] = (
                steps.get("foreign keys: added and checked", 0.0) + seconds
            )
            continue
        if name.startswith("VACUUM ANALYZE "):
            steps["VACUUM ANALYZE (each table)"] = (
                steps.get("VACUUM ANALYZE (each table)", 0.0) + seconds
            )
            continue
        if name in walls:
            steps[f"{walls[name]}: generated (parallel, wall)"] = data["wall_s"]
            continue
        steps[name] = seconds
    return {"steps": steps, "counts": dict(counts)}


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
