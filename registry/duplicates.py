"""Finding likely duplicate records of one child inside a county, grouped in SQL.

The database groups the county's records by each key (covering indexes: no table read,
no sort) and returns the few that repeat; only those are paired in Python, and only the
page's children are loaded. A pair an officer marked "not the same
child" (DistinctPair) is left out; merged records are left out.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Count, F, Q

from areas.models import Area
from children.models import Child, id_numbers_unique
from core.scoping import code_range

from . import policy
from .models import DistinctPair


@dataclass
class Pair:
    """Two records of a county that are likely one child, and why."""

    first_id: int
    second_id: int
    rules: list[str] = field(default_factory=list)
    first: Child | None = None
    second: Child | None = None

    @property
    def reasons(self) -> list[str]:
        return [str(policy.RULES[r]) for r in self.rules]

    @property
    def strength(self) -> int:
        """The strongest rule first: its place in policy.RULES."""
        return min(list(policy.RULES).index(r) for r in self.rules)


def _county_villages(county_prefix: str):
    return Area.objects.filter(**code_range("code", county_prefix)).values("pk")


def candidates(county_prefix: str) -> list[tuple]:
    """(pk, name, pinyin, birth date, village, id hash, merged into) of the county's records
    that share a key with another: the keys are grouped by the database (two covering
    indexes, children_same_name and children_same_pinyin, so a county's 25,000 records are
    grouped in about 20 ms each without reading the table), then only the records of those
    days are read. Three queries, whatever the county's size."""
    children = Child.objects.order_by().filter(area_id__in=_county_villages(county_prefix))
    # The village as a value (area_id + 0), not the indexed column, in the two groupings: else
    # SQLite, without statistics, reads the county's rows through the village index and
    # sorts them (some 150 ms each) instead of scanning the covering index in its order.
    in_county = (
        Child.objects.order_by()
        .alias(village=F("area_id") + 0)
        .filter(village__in=_county_villages(county_prefix))
    )
    repeated = dict(n__gt=1)
    days = set(
        in_county.values("birth_date", "name")
        .annotate(n=Count("pk"))
        .filter(**repeated)
        .values_list("birth_date", flat=True)
    )
    days |= set(
        in_county.exclude(name_pinyin="")
        .values("birth_date", "name_pinyin", "area_id")
        .annotate(n=Count("pk"))
        .filter(**repeated)
        .values_list("birth_date", flat=True)
    )
    hashes = []
    if not id_numbers_unique():
        # Today the database holds each identity number once (a second registration of a
        # number is refused with its holder's name, children.rules.duplicate_error), so no
        # two records can share one and the grouping (some 50 ms: a read of every hash) is
        # left out. Should numbers ever repeat (a merged record keeping its number), this
        # finds them.
        hashes = list(
            Child.objects.order_by()
            .filter(id_hash__isnull=False, area_id__in=_county_villages(county_prefix))
            .values("id_hash")
            .annotate(n=Count("pk"))
            .filter(**repeated)
            .values_list("id_hash", flat=True)
        )
    if not days and not hashes:
        return []
    return list(
        children.filter(Q(birth_date__in=days) | Q(id_hash__in=hashes)).values_list(
            "pk", "name", "name_pinyin", "birth_date", "area_id", "id_hash", "merged_into_id"
        )
    )


def pairs_of(rows) -> dict[tuple[int, int], list[str]]:
    """The pairs among candidate rows, each with the rules it meets."""
    groups = defaultdict(list)
    for pk, name, pinyin, born, area_id, id_hash, *merged in rows:
        if merged and merged[0]:
            continue  # merged already: its record is closed and points at the one kept
        if id_hash:
            groups[(policy.SAME_ID, id_hash)].append(pk)
        groups[(policy.SAME_NAME, born, name)].append(pk)
        if pinyin:
            groups[(policy.SAME_PINYIN, born, pinyin, area_id)].append(pk)
    found: dict[tuple[int, int], list[str]] = {}
    for key, pks in groups.items():
        for a, b in combinations(sorted(pks), 2):
            found.setdefault((a, b), []).append(key[0])
    return found


def likely_duplicates(county_prefix: str) -> list[Pair]:
    """The county's likely duplicate pairs, strongest rule first, then by record number,
    without those marked as two children (two queries)."""
    found = pairs_of(candidates(county_prefix))
    if found:
        distinct = DistinctPair.objects.within(county_prefix).values_list("first", "second")
        for pair in distinct:
            found.pop(tuple(pair), None)
    pairs = [Pair(a, b, rules) for (a, b), rules in found.items()]
    pairs.sort(key=lambda p: (p.strength, p.first_id, p.second_id))
    return pairs


def load(pairs: list[Pair]) -> list[Pair]:
    """Attach the records of the pairs shown (one query, whatever the page's size)."""
    ids = {pk for p in pairs for pk in (p.first_id, p.second_id)}
    children = Child.objects.select_related("area", "area__parent").in_bulk(ids)
    for p in pairs:
        p.first, p.second = children[p.first_id], children[p.second_id]
    return pairs


def are_likely_duplicates(first: Child, second: Child) -> list[str]:
    """The rules two records meet (empty when they meet none), for the merge page."""
    rules = []
    if first.id_hash and first.id_hash == second.id_hash:
        rules.append(policy.SAME_ID)
    if first.birth_date == second.birth_date:
        if first.name == second.name:
            rules.append(policy.SAME_NAME)
        if (
            first.name_pinyin
            and first.name_pinyin == second.name_pinyin
            and first.area_id == second.area_id
        ):
            rules.append(policy.SAME_PINYIN)
    return rules
