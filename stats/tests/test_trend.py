"""The quarter-by-quarter trend draws a quarter whose round is still open as in progress,
with the date and how many villages it counts, not as a collapse (issue 12, point 8)."""

import datetime as dt

import pytest
from django.urls import reverse

from rounds import services as rounds
from stats import charts, services
from tests.personas import make_child

pytestmark = pytest.mark.django_db


def test_an_open_quarter_is_drawn_dashed_and_said_to_be_in_progress(
    client, world, county_officer, director, township_officer
):
    for village, n in ((world["a1"], 3), (world["a2"], 1), (world["b1"], 2)):
        for i in range(n):
            make_child(village, f"孩子{i}")
    the_round = rounds.open_round(county_officer, world["county"], 2026, 4, dt.date(2027, 1, 15))
    ret = the_round.returns.select_related("round", "area").get(area=world["a1"])
    for child in rounds.roster(ret):
        rounds.check_child(director, ret, child)
    rounds.submit_return(director, ret)
    rounds.approve_return(township_officer, ret)
    services.refresh_all()
    client.force_login(county_officer)
    page = client.get(reverse("stats:dashboard", args=[world["county"].code]))
    assert page.status_code == 200
    assert page.text.count('data-in-progress="true"') == 1
    assert 'stroke-dasharray="3 2"' in page.text
    note = page.text.split('data-testid="trend-in-progress">')[1].split("</p>")[0]
    assert "2026年第4季度" in note and "排查进行中" in note and "3个村中已审核通过1个" in note
    assert "<tspan" in page.text and "第4季度" in page.text and ">进行中</text>" in page.text


def test_a_closed_quarter_is_drawn_solid():
    svg = charts.columns([("2026\nQ3", 10, False), ("2026\nQ4", 4, True)])
    assert svg.count('data-in-progress="false"') == 1 and svg.count("stroke-dasharray") == 1
    assert "4*" in svg and "10*" not in svg
