"""No English on the Chinese pages (issue 12, point 8): the main pages of every role,
rendered in Simplified Chinese with data on them, show no run of Latin words except proper
names, codes, units and abbreviations of the allow-list.

What a reader sees is checked: the text between tags (charts' SVG text included) and the
attributes shown to people (title, placeholder, alt, aria-label, and data-label, which the
narrow layout shows as each cell's heading).
"""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import Activity
from care.services import record_visit
from tests.personas import A1, COUNTY, TOWNSHIP_A, make_child

pytestmark = pytest.mark.django_db

# Words that are the same in Chinese text: file formats, abbreviations, product names.
# The language switch names English in English, as language menus do.
ALLOWED = {
    *("Excel", "PDF", "CSV", "xlsx", "API", "ID", "IP", "WPS", "LibreOffice", "OpenAPI"),
    *("Shouhu", "English"),
}
PERSONAS = ["county_officer", "township_officer", "director", "leader", "volunteer"]
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Za-z][A-Za-z'’-]*)*")
SHOWN_ATTRIBUTES = re.compile(r'\s(?:title|placeholder|alt|aria-label|data-label)="([^"]*)"')


def shown_text(page: str) -> str:
    """What a reader of the page sees or hears, tags and code removed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    attributes = " ".join(SHOWN_ATTRIBUTES.findall(page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + attributes)


def english_in(page: str, data_words=()) -> list[str]:
    """Runs of Latin words a Chinese reader should not meet (single letters are codes:
    the X of an identity number, the Q of a quarter's code)."""
    text = shown_text(page)
    for word in data_words:  # data (login names) may be Latin: it is not interface text
        text = text.replace(word, " ")
    found = []
    for run in LATIN_RUN.findall(text):
        words = [w for w in run.split() if len(w) > 1 and w not in ALLOWED]
        if words:
            found.append(run)
    return found


def test_the_checker_finds_english_and_spares_the_allow_list():
    page = (
        '<p>导出 Excel · 2026-Q4</p><td data-label="registered children">3</td>'
        "<p>No children match.</p>"
    )
    assert english_in(page) == ["No children match", "registered children"]


@pytest.fixture
def busy_county(world, county_officer, township_officer, director, leader, volunteer):
    """A county with something on every main page: children with relief, contacts, visits,
    activities, an open round, a report of concern, a pairing."""
    from concerns import services as concerns
    from relief import services as relief
    from relief.catalogue import ensure_catalogue
    from relief.models import Programme
    from rounds import services as rounds
    from social import services as social
    from stats import services as stats

    names = {
        county_officer: "县民政局 赵科长",
        township_officer: "城关镇 钱督导",
        director: "王庄村 孙主任",
        leader: "县领导 李局长",
        volunteer: "志愿者 周老师",
    }
    for user, name in names.items():
        user.name = name
        user.save(update_fields=["name"])
    today = timezone.localdate()
    special = make_child(world["a1"], "王小红", sex="F", dibao=True, actor=director)
    ordinary = make_child(world["a1"], "王小明", registered_on=today - dt.timedelta(days=400))
    make_child(world["b1"], "张小军", father="deceased", mother="deceased")
    record_visit(director, special, {"visited_on": today})
    Activity.objects.create(
        home=world["home_a1"], held_on=today, theme="policy", recorded_by=director
    )
    ensure_catalogue(world["county"])
    dibao = Programme.objects.get(county=world["county"], code="dibao")
    relief.add_measure(director, special, {"programme": dibao, "start_month": today.replace(day=1)})
    relief.add_contact(director, special, {"name": "李老师", "role": "teacher", "since": today})
    the_round = rounds.open_round(county_officer, world["county"], *rounds.quarter_of(today), today)
    report = concerns.receive(
        {
            "area": world["a1"],
            "place": "王庄村东头",
            "situation": "abandoned",
            "description": "孩子一个人在家好几天了，没人做饭。",
            "urgency": "immediate",
            "child_name": "王小明",
            "child_age": 9,
            "reporter_role": "neighbour",
            "reporter_name": "李大姐",
            "reporter_phone": "13811112222",
        },
        source="public",
    )
    social.pair(
        director,
        ordinary,
        {"helper": volunteer, "purpose": "tutoring", "started_on": today},
    )
    from children.services.concerns import open_concern, take_action

    concern = open_concern(
        director, special, "祖母腿脚不便，作业无人辅导", source="visit", urgency="urgent"
    )
    take_action(director, concern, "已联系学校安排课后辅导。")
    from people.models import ApiToken
    from people.tokens import issue, revoke

    made = [issue(user, "办公室电脑")[0] for user in (county_officer, director)]
    revoke(issue(director, "旧手机")[0], county_officer, ApiToken.Reason.OFFICER)
    stats.refresh_all()
    return {
        # The tokens' prefixes are random letters: data, not interface text.
        "data_words": [t.prefix for t in ApiToken.objects.all()],
        "tokens": made,
        "concern": concern,
        "special": special,
        "ordinary": ordinary,
        "round": the_round,
        "return": the_round.returns.get(area=world["a1"]),
        "report": report,
        "week": today.isocalendar()[:2],
    }


def _pages(data) -> dict[str, list[str]]:
    """The main pages of each role."""
    officer = [
        reverse("home"),
        reverse("stats:dashboard", args=[COUNTY]),
        reverse("stats:dashboard", args=[TOWNSHIP_A]),
        reverse("stats:dashboard", args=[A1]),
        reverse("stats:figure", args=[COUNTY, "special_with_relief"]),
        reverse("stats:figure", args=[COUNTY, "homes"]),
        reverse("stats:figure", args=[COUNTY, "return_not_started"]),
        reverse("stats:reports", args=[COUNTY]),
        reverse("children:roster"),
        reverse("children:roster") + "?area=999999999999",
        reverse("children:detail", args=[data["special"].pk]),
        reverse("children:transfers"),
        reverse("children:import"),
        reverse("care:compliance", args=[COUNTY]),
        reverse("care:compliance", args=[A1]),
        reverse("care:compliance_children", args=[COUNTY, "special_visited"]),
        reverse("care:activities"),
        reverse("care:notifications"),
        reverse("rounds:list"),
        reverse("rounds:detail", args=[data["round"].pk]),
        reverse("rounds:return", args=[data["return"].pk]),
        reverse("rounds:figures", args=[COUNTY]),
        reverse("relief:catalogue"),
        reverse("relief:measure_list"),
        reverse("villagefiles:village_file", args=[A1]),
        reverse("villagefiles:gaps", args=[COUNTY]),
        reverse("social:organisations"),
        reverse("social:helpers"),
        reverse("concerns:list"),
        reverse("concerns:detail", args=[data["report"].pk]),
        reverse("concerns:summary", args=[COUNTY]),
        reverse("people:area_detail", args=[A1]),
        reverse("people:person_list"),
        reverse("people:responsibility", args=[TOWNSHIP_A]),
        reverse("rounds:township", args=[data["round"].pk, TOWNSHIP_A]),
        reverse("rounds:inbox"),
        reverse("relief:child_section", args=[data["special"].pk]),
        reverse("social:child_section", args=[data["ordinary"].pk]),
        reverse("care:child_visits", args=[data["special"].pk]),
        reverse("care:compliance_homes", args=[COUNTY, *data["week"]]),
        reverse("concerns:inbox"),
        reverse("children:concerns"),
        reverse("children:concerns") + "?state=overdue",
        reverse("children:concern_inbox"),
        reverse("children:concern", args=[data["concern"].pk]),
        reverse("children:concern_step", args=[data["concern"].pk, "resolve"]),
    ]
    return {
        "county_officer": [
            *officer,
            reverse("audit_log"),
            reverse("audit_log") + "?action=auth.login",
            reverse("people:token_list"),
            reverse("people:my_tokens"),
        ],
        "township_officer": [
            reverse("stats:dashboard", args=[TOWNSHIP_A]),
            reverse("children:roster"),
            reverse("care:compliance", args=[TOWNSHIP_A]) + "?list=1",
            reverse("rounds:list"),
            reverse("concerns:list"),
            reverse("villagefiles:gaps", args=[TOWNSHIP_A]),
        ],
        "director": [
            reverse("home"),
            reverse("care:worklist"),
            reverse("care:visit_new", args=[data["ordinary"].pk]),
            reverse("care:activity_new"),
            reverse("children:new"),
            reverse("children:edit", args=[data["special"].pk]),
            reverse("children:basis", args=[data["special"].pk]),
            reverse("stats:dashboard", args=[A1]),
            reverse("rounds:return", args=[data["return"].pk]),
            reverse("concerns:new"),
            reverse("people:my_tokens"),
        ],
        "leader": [reverse("stats:dashboard", args=[COUNTY]), reverse("children:roster")],
        "volunteer": [reverse("social:my_children"), reverse("concerns:new")],
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_main_pages_of_every_role_have_no_english(client, request, busy_county, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    found = {}
    for url in _pages(busy_county)[persona]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code in (200, 400), (url, response.status_code)
        # The accounts' login names are data, not interface text.
        words = [*busy_county["data_words"], *PERSONAS]
        english = english_in(response.content.decode(), data_words=words)
        if english:
            found[url] = sorted(set(english))
    assert not found, "\n".join(f"{url}: {runs}" for url, runs in found.items())
