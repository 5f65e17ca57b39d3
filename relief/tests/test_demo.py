"""The demo's relief work (demo/relief.py): plausible, in every status, with gaps left on
purpose, and made in a bounded number of queries however many children there are."""

import datetime as dt
import random

from children.models import Child
from relief.models import AssistanceContact, MeasureChange, Programme, ReliefMeasure


def many_children(world, count):
    villages = [world["a1"], world["a2"], world["b1"]]
    Child.objects.bulk_create(
        Child(
            area=villages[i % 3],
            name=f"童{i}",
            sex="F" if i % 2 else "M",
            birth_date=dt.date(2012 + i % 10, 1 + i % 12, 1),
            care_level="special" if i % 5 else "ordinary",
            is_orphan=i % 17 == 0,
            is_fuc=i % 13 == 0,
            dibao=i % 3 == 0,
        )
        for i in range(count)
    )


def test_the_demo_county_gets_relief_work_with_gaps(world, django_assert_max_num_queries):
    from demo.relief import seed_relief

    many_children(world, 600)
    today = dt.date(2026, 11, 20)
    # (+3 for the audit chain: its head locked, and moved after the sealed entries; +4 for
    # the children left without the programme of each eligibility rule, one query a rule;
    # +1 for the townships' officers who put measures in effect)
    with django_assert_max_num_queries(38):
        counts = seed_relief(world["county"], Child.objects.all(), random.Random(7), today)
    assert counts["relief_measures"] == ReliefMeasure.objects.count() > 300
    programmes = {p.code: p for p in Programme.objects.filter(county=world["county"])}
    assert programmes["dibao"].standard_amount and programmes["orphan_scattered"].standard_amount
    assert programmes["medical"].standard_amount is None  # set case by case
    assert set(ReliefMeasure.objects.values_list("status", flat=True)) == {
        "applied",
        "approved",
        "active",
        "ended",
    }
    for m in ReliefMeasure.objects.select_related("programme"):
        assert m.start_month.day == 1 and m.programme.county_id == world["county"].pk
        if m.status == "ended":
            assert m.end_month and m.end_month <= today
        if m.payment == "one_off":
            assert m.end_month in (None, m.start_month)
    special = Child.objects.filter(care_level="special")
    with_measure = special.filter(pk__in=ReliefMeasure.objects.values("child_id")).count()
    current = AssistanceContact.objects.current().values("child_id")
    with_contact = special.filter(pk__in=current).count()
    assert 0.75 * special.count() < with_measure < special.count()
    assert 0.75 * special.count() < with_contact < special.count()
    neither = special.filter(relief_measures__isnull=True, assistance_contacts__isnull=True)
    assert neither.exists()  # the gap reports have lines
    assert AssistanceContact.objects.filter(until__isnull=False).exists()
    assert MeasureChange.objects.exists()
