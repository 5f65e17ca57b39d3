"""Weeks and overdue figures are written as people say them (issue 12, point 8)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from care.weekly import week_label, week_of
from tests.personas import make_child

pytestmark = pytest.mark.django_db


def visible(html: str) -> str:
    """The page's text as a reader sees it (tags, and so links' addresses, removed)."""
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    ("language", "year", "week", "text"),
    [
        ("zh-hans", 2026, 48, "2026年第48周（11月23日—29日）"),
        ("en", 2026, 48, "week 48 of 2026 (23–29 Nov)"),
        ("zh-hans", 2026, 49, "2026年第49周（11月30日—12月6日）"),
        ("en", 2027, 1, "week 1 of 2027 (4–10 Jan)"),
    ],
)
def test_a_week_is_written_with_its_days(language, year, week, text):
    with translation.override(language):
        assert week_label(year, week) == text


def test_a_week_that_does_not_exist_does_not_fail():
    assert week_label(2026, 60) == "2026-60"


def test_the_compliance_page_writes_weeks_and_overdue_children_in_words(
    client, world, county_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the village's figures recounted
        make_child(
            world["a1"],
            "王一",
            dibao=True,
            registered_on=timezone.localdate() - dt.timedelta(days=90),
        )
    client.force_login(county_officer)
    page = client.get(reverse("care:compliance", args=[world["a"].code]))
    text = visible(page.text)
    year, week = week_of(timezone.localdate())
    assert f"{year}年第{week}周（" in text and "-W" not in text
    assert " + " not in text
    assert "重点关注1名" in text and "一般0名" in text  # A1: one special child overdue
    assert "无逾期" in text  # A2: nobody


def test_the_activities_page_names_missed_weeks_in_words(client, world, director):
    client.force_login(director)
    page = client.get(reverse("care:activities")).text
    assert "-W" not in visible(page) and "周（" in page
