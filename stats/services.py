"""Keep each village's figures current, and add them up for any area.

`recount` computes villages' figures from the raw tables with the registry's, the care
engine's and the relief app's own rules, a fixed number of queries for any number of
villages. `refresh_villages` stores them under a row lock, with the sums of their
townships and counties; the signal receivers call it after each commit that touched a
village, and `manage.py refresh_stats` (daily, from cron) recounts every village for the
figures that move with the calendar (ages, this month's visits, this quarter). A dashboard
then adds up stored rows (a township its villages, a county its townships, anything above
its counties): its cost follows the number of units shown, not the number of children,
visits or villages.
"""

import datetime as dt

from django.db import connections, router, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum, Value
from django.db.models.functions import Substr
from django.utils import timezone

from areas.codes import CHILD_LEVEL, PREFIX_LENGTH, Level
from areas.models import Area, ServicePoint
from care import compliance, schedule
from care.models import Activity
from children.choices import CareLevel, Sex, Status
from children.filters import closed_in_quarter, registered_in_quarter
from children.models import AGE_BANDS, CATEGORY_FILTERS, Child, Concern
from children.policy import birthday_cutoff
from core.compiled import Prepared, kept, prepared, sentinel_id, sentinel_text
from core.scoping import code_range
from relief.models import AssistanceContact, ReliefMeasure
from rounds.models import Round, VillageReturn

from .models import FIGURES, AreaStats, Recount, RecountChunk, VillageStats

BATCH = 500  # villages recounted per round of queries (keeps IN lists short)
SPECIAL = CareLevel.SPECIAL


def _age_q(band: str, on: dt.date) -> Q:
    low, high = AGE_BANDS[band]
    return Q(birth_date__lte=birthday_cutoff(on, low), birth_date__gt=birthday_cutoff(on, high + 1))


def child_filters(on: dt.date) -> dict[str, Q]:
    """The registry figures as filters on active children (also used to list them)."""
    visits = compliance.figure_filters(on)
    return {
        "children": Q(),
        "left_behind": CATEGORY_FILTERS["left_behind"],
        "orphan": CATEGORY_FILTERS["orphan"],
        "fuc": CATEGORY_FILTERS["fuc"],
        "in_difficulty": CATEGORY_FILTERS["difficulty"],
        "poverty": CATEGORY_FILTERS["poverty"],
        "disability": CATEGORY_FILTERS["disability"],
        "guardianship": CATEGORY_FILTERS["guardianship"],
        "ordinary": CATEGORY_FILTERS["ordinary"],
        "special": Q(care_level=SPECIAL),
        "ordinary_level": Q(care_level=CareLevel.ORDINARY),
        "boys": Q(sex=Sex.MALE),
        "girls": Q(sex=Sex.FEMALE),
        "age_0_5": _age_q("0-5", on),
        "age_6_13": _age_q("6-13", on),
        "age_14_15": _age_q("14-15", on),
        "age_16_17": _age_q("16-17", on),
        # Registered this quarter: the registration's date (created_at), from the quarter's
        # first day to `on` (the roster's "registered this quarter" is the same filter).
        "new_quarter": registered_in_quarter(on),
        "special_visited": visits["special_visited"],
        "special_overdue": visits["special_overdue"],
        "ordinary_visited": visits["ordinary_visited"],
        "ordinary_overdue": visits["ordinary_overdue"],
    }


def recount(area_ids, on: dt.date | None = None) -> dict[int, dict]:
    """Figures of the given villages on `on` (today), by area id, from the raw tables."""
    on = on or timezone.localdate()
    area_ids = list(area_ids)
    result = {pk: dict.fromkeys(FIGURES, 0) for pk in area_ids}
    if not area_ids:
        return result
    # The SQL depends on the day (age bands, the quarter, the visit periods) and on the
    # time zone its midnights are taken in; within a day, only the ids change.
    day = (on, timezone.get_current_timezone_name())
    rows = {
        name: prepared(("recount", name, *day), make, IDS, model=model).run(area_ids)
        for name, (model, make) in _recount_queries(on).items()
    }

    for row in rows["children"]:
        area_id = row.pop("area_id")
        result[area_id].update({key[2:]: value for key, value in row.items()})
    for row in rows["closed"]:
        result[row["area_id"]]["closed_quarter"] = row["n"]
    for name in ("special", "homes", "concerns"):
        for row in rows[name]:
            area_id = row.pop("child__area_id" if name == "concerns" else "area_id")
            result[area_id].update(row)
    for area_id, state in rows["returns"]:
        result[area_id][f"return_{state}"] = 1
    return result


# Stands in for the villages' ids while a query of `recount` or `refresh_villages` is
# compiled (core.compiled).
IDS = [sentinel_id()]


def _recount_queries(on: dt.date) -> dict:
    """The queries of `recount` on `on`: {name: (model, function of the villages' ids
    giving the queryset)}, compiled once a day and process (core.compiled)."""

    def children(ids):
        active = Child.objects.filter(area_id__in=ids, status=Status.ACTIVE)
        # Annotations get a prefix: a figure's name must not shadow a field a filter reads.
        counts = {
            f"n_{name}": Count("id", filter=q) if q else Count("id")
            for name, q in child_filters(on).items()
        }
        return schedule.with_visits(active).values("area_id").annotate(**counts).order_by()

    def closed(ids):
        closed = Child.objects.filter(closed_in_quarter(on), area_id__in=ids)
        return closed.values("area_id").annotate(n=Count("id")).order_by()

    def special(ids):
        active = Child.objects.filter(area_id__in=ids, status=Status.ACTIVE)
        return (
            _with_help(active.filter(care_level=SPECIAL))
            .values("area_id")
            .annotate(
                special_with_relief=Count("id", filter=Q(has_relief=True)),
                special_with_contact=Count("id", filter=Q(has_contact=True)),
            )
            .order_by()
        )

    def homes(ids):
        homes = _with_weeks(ServicePoint.objects.homes().filter(area_id__in=ids), on)
        return (
            homes.values("area_id")
            .annotate(
                homes=Count("id"),
                homes_active_week=Count("id", filter=Q(this_week=True)),
                homes_active_last_week=Count("id", filter=Q(last_week=True)),
            )
            .order_by()
        )

    def concerns(ids):
        # The same rule as the concerns list (ConcernQuerySet.open and .overdue), so a
        # figure and the list it opens agree concern for concern.
        concerns = Concern.objects.filter(child__area_id__in=ids).open()
        return (
            concerns.values("child__area_id")
            .annotate(
                concerns_open=Count("id"),
                concerns_overdue=Count("id", filter=Q(due_on__lt=on)),
            )
            .order_by()
        )

    def returns(ids):
        returns = VillageReturn.objects.filter(area_id__in=ids, round__state=Round.State.OPEN)
        return returns.values_list("area_id", "state")

    return {
        "children": (Child, children),
        "closed": (Child, closed),
        "special": (Child, special),
        "homes": (ServicePoint, homes),
        "concerns": (Concern, concerns),
        "returns": (VillageReturn, returns),
    }


def _with_help(children):
    """Children annotated with whether they have a current relief measure and a current
    assistance contact (the relief app's own definitions of "current")."""
    relief = ReliefMeasure.objects.current().filter(child=OuterRef("pk"))
    contact = AssistanceContact.objects.current().filter(child=OuterRef("pk"))
    return children.annotate(has_relief=Exists(relief), has_contact=Exists(contact))


def _with_weeks(homes, on: dt.date):
    """Children's homes annotated with an activity this ISO week so far, and in the last
    complete one (early in a week, the figure that says whether the homes keep the weekly
    rhythm)."""
    week_start = on - dt.timedelta(days=on.weekday())
    this_week = Activity.objects.filter(
        home=OuterRef("pk"), held_on__gte=week_start, held_on__lte=on
    )
    last_week = Activity.objects.filter(
        home=OuterRef("pk"),
        held_on__gte=week_start - dt.timedelta(days=7),
        held_on__lt=week_start,
    )
    return homes.annotate(this_week=Exists(this_week), last_week=Exists(last_week))


# What each figure counts that is not a filter of `child_filters`: (kind, filter).
HOME_FIGURES = {
    "homes": Q(),
    "homes_active_week": Q(this_week=True),
    "homes_active_last_week": Q(last_week=True),
}
HELP_FIGURES = {
    "special_with_relief": Q(has_relief=True),
    "special_with_contact": Q(has_contact=True),
}


def members(area: Area, name: str, on: dt.date | None = None):
    """The records one figure of an area counts, as (kind, queryset): "child", "home",
    "return" or "concern". The same filters as `recount`, so a figure's list is its count,
    record for record. Raises KeyError for a figure with no list."""
    on = on or timezone.localdate()
    children = Child.objects.within(area.prefix).filter(area__level=Level.VILLAGE)
    filters = child_filters(on)
    if name in filters:
        return "child", schedule.with_visits(children.active()).filter(filters[name])
    if name == "closed_quarter":
        return "child", children.filter(closed_in_quarter(on))
    if name in HELP_FIGURES:
        special = children.active().filter(care_level=SPECIAL)
        return "child", _with_help(special).filter(HELP_FIGURES[name])
    if name in HOME_FIGURES:
        homes = ServicePoint.objects.within(area.prefix).homes().filter(area__level=Level.VILLAGE)
        return "home", _with_weeks(homes, on).filter(HOME_FIGURES[name])
    if name in ("concerns_open", "concerns_overdue"):
        concerns = Concern.objects.filter(
            child__area__code__startswith=area.prefix, child__area__level=Level.VILLAGE
        )
        return "concern", (concerns.overdue(on) if name == "concerns_overdue" else concerns.open())
    if name.startswith("return_"):
        returns = VillageReturn.objects.within(area.prefix).filter(
            round__state=Round.State.OPEN, state=name.removeprefix("return_")
        )
        return "return", returns
    raise KeyError(name)


def refresh_villages(area_ids, on: dt.date | None = None) -> int:
    """Recount and store the figures of these villages (others are ignored), and their
    townships' and counties' sums. Returns how many village rows were written.

    The rows are locked before the recount, so two transactions refreshing the same village
    one after the other cannot store a count that misses the other's change. Locks are taken
    in one order (villages, townships, counties; each by id), so refreshes cannot deadlock.
    """
    on = on or timezone.localdate()
    villages = dict(
        prepared("refresh_villages.areas", _villages, IDS, model=Area).run(list(set(area_ids)))
    )
    written = 0
    ids = sorted(villages)
    fields = ["on", "computed_at", *FIGURES]
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction.atomic():
            add_missing_rows(VillageStats, batch, on=on)
            locked = prepared(
                "refresh_villages.lock", _lock_villages, IDS, model=VillageStats, write=True
            ).run(batch)
            figures = recount(batch, on)
            now = timezone.now()
            write_rows(
                VillageStats,
                {pk: [on, now, *(figures[pk][name] for name in FIGURES)] for pk in locked},
                fields,
            )
            written += len(locked)
            townships = {villages[pk][: PREFIX_LENGTH[Level.TOWNSHIP]] for pk in batch}
            counties = {prefix[: PREFIX_LENGTH[Level.COUNTY]] for prefix in townships}
            roll_up(Level.TOWNSHIP, townships, on)
            roll_up(Level.COUNTY, counties, on)
    return written


def _villages(ids):
    return Area.objects.filter(pk__in=ids, level=Level.VILLAGE).values_list("pk", "code")


def _lock_villages(ids):
    return (
        VillageStats.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def add_missing_rows(model, area_ids, *, on=None) -> None:
    """Make the stored rows these areas lack (figures 0), in one INSERT … SELECT that skips
    the rows that exist: a row must exist before it can be locked.

    Not bulk_create: Django prepares each of the 38 values of every row in Python (0.4 s
    for 500 villages, most of the first national recount's time)."""
    if not area_ids:
        return
    area_ids = [pk for pk in area_ids if pk is not None]
    if not area_ids:
        return
    (head, tail), source = kept(
        ("add_missing_rows", model._meta.label), lambda alias: _insert_missing(model), model=model
    )
    source_sql, source_params = source.bind([area_ids])
    params = [on, timezone.now()] if model is VillageStats else []
    connection = connections[router.db_for_write(model)]
    with connection.cursor() as cursor:
        cursor.execute(head + source_sql + tail, [*params, *source_params])


def _insert_missing(model) -> tuple[str, Prepared]:
    """The INSERT … SELECT of `add_missing_rows` (its text before and after the SELECT),
    and the SELECT of the areas' rows, compiled once: a function of the areas' ids."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    names = ["area_id", "code"] if model is VillageStats else ["area_id", "code", "level"]
    source = Prepared(
        lambda ids: Area.objects.filter(pk__in=ids).values_list("pk", *names[1:]).order_by(), IDS
    )
    constants = {"on": "%s", "computed_at": "%s"} if model is VillageStats else {"villages": "0"}
    constants |= dict.fromkeys(FIGURES, "0")
    # WHERE 1 = 1: SQLite reads ON CONFLICT after a SELECT only when the SELECT has a WHERE.
    head = "INSERT INTO {} ({}) SELECT a.*, {} FROM (".format(
        quote(model._meta.db_table),
        ", ".join(quote(model._meta.get_field(name).column) for name in [*names, *constants]),
        ", ".join(constants.values()),
    )
    return (head, ") AS a WHERE 1 = 1 ON CONFLICT DO NOTHING"), source


def write_rows(model, values: dict, fields: list[str]) -> None:
    """Write these fields of these rows ({pk: [value of each field]}) with one
    UPDATE … FROM (VALUES …), which PostgreSQL and SQLite (3.33 and newer) both take.

    Not QuerySet.bulk_update (a CASE WHEN per field and row took 9 s for a batch of 500
    villages), nor one UPDATE per row (Django preparing 19,000 values took 0.6 s per batch,
    most of the nightly recount's time at national scale): the counts are plain integers
    sent as they are; only dates and times are prepared."""
    if not values:
        return
    connection = connections[router.db_for_write(model)]
    columns, prepared, (head, tail) = kept(
        ("write_rows", model._meta.label, tuple(fields)),
        lambda alias: _update_rows(model, fields, connections[alias]),
        model=model,
        write=True,
    )
    params, rows = [], []
    for pk, row in values.items():
        row = list(row)
        for i in prepared:
            row[i] = columns[i].get_db_prep_save(row[i], connection)
        params += [pk, *row]
        rows.append("(" + ", ".join(["%s"] * (len(row) + 1)) + ")")
    with connection.cursor() as cursor:
        cursor.execute(head + ", ".join(rows) + tail, params)


def _update_rows(model, fields: list[str], connection) -> tuple:
    """What `write_rows` needs of these fields, worked out once: the fields, which of
    them to prepare, and the UPDATE's text before and after its VALUES list."""
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    prepared = [
        i
        for i, field in enumerate(columns)
        if field.get_internal_type() not in ("PositiveIntegerField", "IntegerField")
    ]
    # PostgreSQL types a column of the VALUES list from its values: one of only NULLs
    # would be text. Said explicitly, as the column's type.
    typed = connection.vendor == "postgresql"
    sources = [
        f"CAST(v.column{i + 2} AS {field.db_type(connection)})" if typed else f"v.column{i + 2}"
        for i, field in enumerate(columns)
    ]
    sets = ", ".join(f"{quote(f.column)} = {s}" for f, s in zip(columns, sources, strict=True))
    table = quote(model._meta.db_table)
    head = f"UPDATE {table} SET {sets} FROM (VALUES "
    tail = f") AS v WHERE {table}.{quote(model._meta.pk.column)} = v.column1"
    return columns, prepared, (head, tail)


# Each stored sum and the rows it adds up: a township's villages, a county's townships.
ROLLUP_SOURCE = {Level.TOWNSHIP: Level.VILLAGE, Level.COUNTY: Level.TOWNSHIP}


def _stored(level: str):
    """The stored rows of one level's areas."""
    if level == Level.VILLAGE:
        return VillageStats.objects.all()
    return AreaStats.objects.filter(level=level)


def _any_within(prefixes) -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(**code_range("code", prefix))
    return q


def roll_up(level: str, prefixes, on: dt.date | None = None) -> None:
    """Store the sums of the townships (or counties) with these code prefixes from their
    villages' (or townships') rows, under a lock on each sum's row. Call inside the
    transaction that changed the rows below."""
    prefixes = sorted(set(prefixes))
    if not prefixes:
        return
    on = on or timezone.localdate()
    codes = [p.ljust(PREFIX_LENGTH[Level.VILLAGE], "0") for p in prefixes]
    areas = dict(
        prepared(
            ("roll_up.areas", level),
            lambda codes: Area.objects.filter(level=level, code__in=codes).values_list(
                "pk", "code"
            ),
            [sentinel_text()],
            model=Area,
        ).run(codes)
    )
    add_missing_rows(AreaStats, sorted(areas))
    locked = prepared("roll_up.lock", _lock_sums, IDS, model=AreaStats, write=True).run(
        sorted(areas)
    )
    length = PREFIX_LENGTH[level]
    below = ROLLUP_SOURCE[level]

    def make(*prefixes):
        counted = Count("pk") if below == Level.VILLAGE else Sum("villages")
        return (
            _stored(below)
            .filter(_any_within(prefixes))
            .annotate(unit=Substr("code", 1, length))
            .values("unit")
            .annotate(**{name: Sum(name) for name in FIGURES}, n=counted, oldest=Min("computed_at"))
            .order_by()
        )

    which, stand_ins = _prefix_stand_ins(prefixes)
    query = prepared(
        ("roll_up.sums", level, which), make, *stand_ins, model=_model(below), params=_bounds
    )
    sums = {row.pop("unit"): row for row in query.run(*prefixes)}
    written = {}
    for pk, code in locked:
        found = sums.get(code[:length], {})
        written[pk] = [
            on,
            found.get("n") or 0,
            found.get("oldest"),
            *(found.get(name) or 0 for name in FIGURES),
        ]
    write_rows(AreaStats, written, ["on", "villages", "computed_at", *FIGURES])


def _lock_sums(ids):
    return (
        AreaStats.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "code")
    )


def _model(level: str):
    return VillageStats if level == Level.VILLAGE else AreaStats


def _prefix_stand_ins(prefixes) -> tuple:
    """What stands in for these code prefixes while a query over their ranges is compiled,
    and the part of the cache key that says so: as many sentinel prefixes when each is a
    range of two bounds (code_range), else (the nation's empty prefix) the prefixes
    themselves, their values then in the compiled SQL and the key."""
    if _bounds(*prefixes):
        return len(prefixes), [str(SENTINEL_PREFIX + 2 * k) for k in range(len(prefixes))]
    return tuple(prefixes), list(prefixes)


def _bounds(*prefixes) -> list:
    """The bounds of these prefixes' code ranges, in the order a query over them holds
    them; none unless every range has two (see _prefix_stand_ins)."""
    ranges = [list(code_range("code", prefix).values()) for prefix in prefixes]
    if not all(len(bounds) == 2 for bounds in ranges):
        return []
    return [bound for bounds in ranges for bound in bounds]


# Sentinel code prefixes: digits (code_range gives them two bounds, like a real prefix's),
# two apart so that no sentinel is another's upper bound, and matching no real code.
SENTINEL_PREFIX = 7_300_000_000


def refresh_all(on: dt.date | None = None) -> int:
    """Recount every village in one process (`manage.py refresh_stats`, after bulk loads;
    the nightly job does the same in chunks that workers share: stats.tasks)."""
    ids = Area.objects.filter(level=Level.VILLAGE).values_list("pk", flat=True)
    return refresh_villages(list(ids), on)


# -- the nightly recount in chunks (the jobs are in stats.tasks) -------------------------

# Villages per chunk of the nightly recount: about 100 chunks for the nation's 490,000
# villages (two workers share them evenly), one for a county. A chunk holds whole counties.
CHUNK_VILLAGES = 5000
# Recounts' bookkeeping rows are dropped after this many days.
RECOUNT_KEEP_DAYS = 30


def plan_chunks(size: int | None = None) -> list[tuple[list[str], int]]:
    """Every village's county, grouped into chunks of whole counties of about `size`
    villages, in code order: [(county prefixes, villages)]."""
    size = size or CHUNK_VILLAGES
    county = PREFIX_LENGTH[Level.COUNTY]
    per_county = (
        Area.objects.filter(level=Level.VILLAGE)
        .annotate(county=Substr("code", 1, county))
        .values("county")
        .annotate(n=Count("pk"))
        .order_by("county")
        .values_list("county", "n")
    )
    chunks, counties, villages = [], [], 0
    for prefix, n in per_county:
        if counties and villages + n > size:
            chunks.append((counties, villages))
            counties, villages = [], 0
        counties.append(prefix)
        villages += n
    if counties:
        chunks.append((counties, villages))
    return chunks


def start_recount(on: dt.date | None = None, size: int | None = None) -> Recount:
    """The recount's row and its chunks' rows (the caller starts a job per chunk)."""
    on = on or timezone.localdate()
    chunks = plan_chunks(size)
    recount = Recount.objects.create(on=on, chunks=len(chunks), villages=sum(n for _, n in chunks))
    RecountChunk.objects.bulk_create(
        [RecountChunk(recount=recount, counties=c, villages=n) for c, n in chunks]
    )
    return recount


def chunk_village_ids(counties) -> list[int]:
    """The ids of the villages of these counties (code prefixes)."""
    villages = Area.objects.filter(_any_within(counties), level=Level.VILLAGE)
    return sorted(villages.values_list("pk", flat=True))


def finish_chunk(chunk_id: int) -> bool:
    """Count a chunk as finished (once, however often it ran). True for exactly one
    chunk of the recount: the one after which all are finished (it starts the roll-up).
    Call inside a transaction: the row lock taken by the first UPDATE makes the chunks
    finishing at the same moment count one after the other."""
    now = timezone.now()
    if not RecountChunk.objects.filter(pk=chunk_id, finished_at=None).update(finished_at=now):
        return False
    recount_id = RecountChunk.objects.values_list("recount_id", flat=True).get(pk=chunk_id)
    Recount.objects.filter(pk=recount_id).update(chunks_done=F("chunks_done") + 1)
    return bool(
        Recount.objects.filter(pk=recount_id, chunks_done=F("chunks"), rolled_up_at=None).update(
            rolled_up_at=now
        )
    )


def finish_recount(recount: Recount) -> dict:
    """After every chunk: the figures above the counties (provinces, the nation) are sums
    of the county rows the chunks wrote, added up when a dashboard asks; here they are
    checked: every village of the recount has its row of the day, and the counties' sums
    hold every village. Old recounts' rows are dropped. Returns the run's counts."""
    villages = VillageStats.objects.aggregate(
        n=Count("pk"), current=Count("pk", filter=Q(on=recount.on)), children=Sum("children")
    )
    counties = AreaStats.objects.filter(level=Level.COUNTY).aggregate(
        n=Count("pk"), villages=Sum("villages"), children=Sum("children")
    )
    now = timezone.now()
    Recount.objects.filter(pk=recount.pk).update(finished_at=now)
    Recount.objects.filter(started_at__lt=now - dt.timedelta(days=RECOUNT_KEEP_DAYS)).delete()
    return {
        "villages": villages["current"],
        "not_current": villages["n"] - villages["current"],
        "counties": counties["n"],
        "children": counties["children"] or 0,
        "unsummed": (villages["children"] or 0) - (counties["children"] or 0),
        "chunks": recount.chunks,
    }


# -- adding up -------------------------------------------------------------------------


def _source(level: str, prefix: str):
    """The stored rows an area's figures add up: a village's or a township's village rows,
    a county's township rows, and above a county its counties' rows (about 2,850 for the
    nation, where there are 490,000 villages)."""
    below = _source_level(level)
    rows = _stored(below).within(prefix)
    return rows, Count("pk") if below == Level.VILLAGE else Sum("villages")


def _source_level(level: str) -> str:
    if level in (Level.VILLAGE, Level.TOWNSHIP):
        return Level.VILLAGE
    if level == Level.COUNTY:
        return Level.TOWNSHIP
    return Level.COUNTY


def _summed(key: str, area: Area, make):
    """The rows of `make(prefix)` (a query over `_source`) for this area, compiled once per
    level (core.compiled)."""
    which, stand_ins = _prefix_stand_ins([area.prefix])
    return prepared(
        (key, area.level, which),
        make,
        *stand_ins,
        model=_model(_source_level(area.level)),
        params=_bounds,
    ).run(area.prefix)


def totals(area: Area) -> dict:
    """The figures of every village under an area, added up, with the oldest computation
    time among them (the data's age)."""

    def make(prefix):
        rows, villages = _source(area.level, prefix)
        # aggregate() as a values() query (which core.compiled runs): grouped by a
        # constant, that is not grouped at all, one row even of no rows.
        return (
            rows.annotate(whole=Value(1))
            .values("whole")
            .annotate(
                **{name: Sum(name) for name in FIGURES},
                villages=villages,
                oldest=Min("computed_at"),
            )
        )

    (sums,) = _summed("totals", area, make)
    return {
        **{name: sums[name] or 0 for name in FIGURES},
        "villages": sums["villages"] or 0,
        "oldest": sums["oldest"],
    }


def units_below(area: Area):
    """The areas one level below (the provinces, under the nation: they have no parent)."""
    if area.level == Level.NATION:
        return Area.objects.filter(level=Level.PROVINCE).order_by("code")
    return Area.objects.filter(parent=area).order_by("code")


def breakdown(area: Area) -> list[dict]:
    """The figures of each unit one level below `area` (townships of a county, villages of
    a township …), added up from the stored rows in one query."""
    below = CHILD_LEVEL.get(area.level)
    if below is None:
        return []
    length = PREFIX_LENGTH[below]

    def make(prefix):
        rows, villages = _source(area.level, prefix)
        return (
            rows.annotate(unit=Substr("code", 1, length))
            .values("unit")
            .annotate(**{name: Sum(name) for name in FIGURES}, villages=villages)
            .order_by("unit")
        )

    by_prefix = {row.pop("unit"): row for row in _summed("breakdown", area, make)}
    units = units_below(area)
    empty = {**dict.fromkeys(FIGURES, 0), "villages": 0}
    return [{"area": unit, **by_prefix.get(unit.prefix, empty)} for unit in units]
