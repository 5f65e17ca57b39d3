"""Finding likely duplicate records of one child inside a county, grouped in SQL.

One query finds the records that share a key with another record of the county (window
counts over the three keys), whatever the county's size; only those few are paired in
Python, and only the page's children are loaded. A pair an officer marked "not the same
child" (DistinctPair) is left out; merged records are left out.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Count, F, Q, Window

from children.models import Child

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


def candidates(children):
    """(pk, name, pinyin, birth date, village, id hash) of the records that share a key with
    another of `children`: one query, the grouping done by the database."""
    same = children.order_by().annotate(
        n_id=Window(Count("id_hash"), partition_by=[F("id_hash")]),
        n_name=Window(Count("pk"), partition_by=[F("birth_date"), F("name")]),
        n_pinyin=Window(
            Count("pk"), partition_by=[F("birth_date"), F("name_pinyin"), F("area_id")]
        ),
    )
    return same.filter(Q(n_id__gt=1) | Q(n_name__gt=1) | Q(n_pinyin__gt=1)).values_list(
        "pk", "name", "name_pinyin", "birth_date", "area_id", "id_hash"
    )


def pairs_of(rows) -> dict[tuple[int, int], list[str]]:
    """The pairs among candidate rows, each with the rules it meets."""
    groups = defaultdict(list)
    for pk, name, pinyin, born, area_id, id_hash in rows:
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


def county_children(county_prefix: str):
    """The county's records that may be duplicates: not merged already."""
    return Child.objects.within(county_prefix).filter(merged_into__isnull=True)


def likely_duplicates(county_prefix: str) -> list[Pair]:
    """The county's likely duplicate pairs, strongest rule first, then by record number,
    without those marked as two children (two queries)."""
    found = pairs_of(candidates(county_children(county_prefix)))
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
