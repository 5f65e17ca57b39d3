"""A figure card is written in one place ({% stat %}, core/templatetags/figures.py): the markup
the pages wrote by hand before, which the stylesheet and the tests select on (.stat, .n, .l,
data-testid)."""

import re

from django.template import Context, Template
from django.utils import translation


def render(source: str, **context) -> str:
    """The template's output, its white space folded and taken out between and in tags."""
    html = re.sub(r"\s+", " ", Template("{% load figures %}" + source).render(Context(context)))
    return re.sub(r"\s+>", ">", re.sub(r">\s+<", "><", html.strip()))


def test_a_card_with_a_link_is_the_link():
    html = render('{% stat 12 "children" href=link testid="figure-children" %}', link="/c/?a=1&b=2")
    assert html == (
        '<a class="stat" href="/c/?a=1&amp;b=2" data-testid="figure-children">'
        '<span class="n">12</span><span class="l">children</span></a>'
    )


def test_a_card_without_a_link_is_a_box_with_its_tone():
    assert render('{% stat 0 "overdue" tone="ok" %}') == (
        '<div class="stat ok"><span class="n">0</span><span class="l">overdue</span></div>'
    )


def test_a_figure_of_a_total_is_written_as_a_fraction():
    html = render('{% stat 3 "homes active" of=7 %}')
    assert '<span class="n">3 / 7</span>' in html


def test_the_label_is_escaped_but_a_translated_label_made_with_asvar_is_kept():
    assert '<span class="l">a &lt;b&gt;</span>' in render("{% stat 1 label %}", label="a <b>")
    source = (
        "{% blocktranslate with v=1 n=2 trimmed asvar label %}"
        "ordinary visited this year ({{ v }} of {{ n }}){% endblocktranslate %}"
        "{% stat 50 label %}"
    )
    with translation.override("en"):
        assert '<span class="l">ordinary visited this year (1 of 2)</span>' in render(source)


def test_a_share_is_a_percentage_or_a_dash_where_there_is_none():
    assert render("{{ share|percent }}", share=42) == "42%"
    assert render("{{ share|percent }}", share=0) == "0%"
    assert render("{{ share|percent }}", share=None) == "—"


def test_a_count_that_should_be_nought_is_bad_when_there_is_any():
    assert render("{{ n|alarm }}", n=3) == "bad"
    assert render("{{ n|alarm }}", n=0) == "ok"
    assert 'class="stat bad"' in render('{% stat n "overdue" tone=n|alarm %}', n=2)
