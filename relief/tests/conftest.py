"""Fixtures of the relief tests: the county's catalogue and a child in each township."""

import datetime as dt

import pytest

from tests.personas import make_child


@pytest.fixture
def programmes(world):
    """The default catalogue of the test county, by code; the dibao has a standard amount."""
    from relief.catalogue import ensure_catalogue
    from relief.models import Programme

    ensure_catalogue(world["county"])
    Programme.objects.filter(code="dibao").update(standard_amount=720)
    return {p.code: p for p in Programme.objects.select_related("county")}


@pytest.fixture
def child_a1(world):
    """A child of village A1 (the director's village)."""
    return make_child(world["a1"], "王小明")


@pytest.fixture
def child_b1(world):
    """A child of village B1 (township B)."""
    return make_child(world["b1"], "张小红")


def month(year, number):
    return dt.date(year, number, 1)
