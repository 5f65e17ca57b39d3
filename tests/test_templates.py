"""Every template of the repository compiles, keeps its lines within 120 characters (issue
14: djhtml indents them, djLint lints them) and has no inline script or style, which the
Content Security Policy would block in the browser."""

import re
from pathlib import Path

import pytest
from django.template.loader import get_template

ROOT = Path(__file__).resolve().parent.parent
IGNORED = {".venv", ".git", "var", "node_modules", "test-artifacts", "build", "staticfiles"}
MAX_LINE = 120

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def _templates() -> list[Path]:
    """Every HTML template below a `templates` folder of the repository."""
    found = []
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in IGNORED or parts[0].startswith("."):
            continue
        found.append(path)
    return found


def _name(path: Path) -> str:
    """The name Django's loaders find the template by (the path below `templates/`)."""
    parts = path.relative_to(ROOT).parts
    return "/".join(parts[parts.index("templates") + 1 :])


def test_templates_are_found():
    assert len(_templates()) > 100


def test_no_template_line_over_120_characters():
    offenders = []
    for path in _templates():
        relative = path.relative_to(ROOT).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        offenders.extend(
            f"{relative}:{n} ({len(line)})"
            for n, line in enumerate(lines, 1)
            if len(line) > MAX_LINE
        )
    assert not offenders, "lines over 120 characters:\n" + "\n".join(offenders)


@pytest.mark.parametrize("path", _templates(), ids=_name)
def test_template_compiles(path):
    get_template(_name(path))


def test_no_inline_script_or_style():
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_STYLE):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT).as_posix()}:{line}: {match.group(0)}")
    assert not offenders, "inline script or style (the CSP blocks it):\n" + "\n".join(offenders)


TABLE = (
    '{% load tables %}{% table_or_empty rows empty testid="none" %}'
    "<table></table>{% endtable_or_empty %}"
)


def test_table_or_empty_frames_a_table_with_rows_and_says_the_empty_sentence_without():
    from django.template import Context, Template

    assert Template(TABLE).render(Context({"rows": [1]})) == (
        '<div class="table-wrap"><table></table></div>'
    )
    assert Template(TABLE).render(Context({"rows": [], "empty": "None & gone"})) == (
        '<div class="card empty" data-testid="none">None &amp; gone</div>'
    )


def test_table_or_empty_takes_a_sentence_written_in_the_page_after_empty():
    from django.template import Context, Template

    page = Template(
        "{% load tables %}{% table_or_empty rows %}<table></table>"
        "{% empty %}{% if q %}None matches {{ q }}{% endif %}{% endtable_or_empty %}"
    )
    assert page.render(Context({"rows": [], "q": "<b>"})) == (
        '<div class="card empty">None matches &lt;b&gt;</div>'
    )


def test_pk_url_writes_what_url_writes():
    from django.template import Context, Template
    from django.urls import reverse

    page = Template(
        "{% load tables %}{% pk_url 'children:detail' pk %} {% url 'children:detail' pk %}"
    )
    for pk in (0, 7, 123456):
        one, other = page.render(Context({"pk": pk})).split()
        assert one == other == reverse("children:detail", args=[pk])
    assert Template("{% load tables %}{% pk_url 'care:visit_new' '42' %}").render(
        Context()
    ) == reverse("care:visit_new", args=[42])


def test_isodate_writes_what_the_date_filter_writes():
    import datetime as dt

    from django.template import Context, Template

    page = Template('{% load tables %}{{ d|isodate }}|{{ d|date:"Y-m-d" }}')
    for value in (dt.date(2026, 3, 1), dt.date(987, 12, 31), None, ""):
        one, other = page.render(Context({"d": value})).split("|")
        assert one == other
    moment = dt.datetime(2026, 2, 28, 17, 30, tzinfo=dt.UTC)  # 01:30 next day in Shanghai
    one, other = page.render(Context({"d": moment})).split("|")
    assert one == other == "2026-03-01"
