"""Tables in templates.

{% headings _("name") _("village") %} writes a header row's cells;
{% table_or_empty rows _("No rows.") %}<table>…</table>{% endtable_or_empty %} wraps a table
that has rows in its scrolling frame, and says the empty sentence when there are none.

In a row, what is written once per row should cost little (a list has hundreds of rows):
{% pk_url 'children:detail' c.pk %} is {% url %} for an address of one id without a reverse
per row, {{ day|isodate }} is {{ day|date:"Y-m-d" }} for a date without the date format
machinery, and {{ c|choice_label:"sex" }} is {{ c.get_sex_display }} without building the
field's choices anew for each row.
"""

import datetime as dt
import functools

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import format_html, format_html_join

from core.routes import pk_url as address_of_pk

register = template.Library()

PAGINATION = "core/_pagination.html"


@register.simple_tag
def headings(*labels) -> str:
    """One <th> a label, in order, each escaped (labels come translated, as _("…"))."""
    return format_html_join("", "<th>{}</th>", ((label,) for label in labels))


@register.simple_tag
def pk_url(name: str, pk) -> str:
    """{% url name pk %} for an address whose one argument is an id (core.routes.pk_url)."""
    return address_of_pk(name, pk)


@register.filter(expects_localtime=True)
def isodate(value) -> str:
    """A date as "2026-03-01", what |date:"Y-m-d" writes (a time of day is shown in the
    current time zone, as |date does; anything else is left to |date)."""
    if type(value) is dt.date:
        return value.isoformat()
    return date_filter(value, "Y-m-d")


@register.filter
def choice_label(obj, name: str):
    """{{ obj|choice_label:"sex" }} writes what obj.get_sex_display() returns: the label of
    the field's value in the active language, or the value itself when it is not a choice."""
    field = obj._meta.get_field(name)
    value = getattr(obj, field.attname)
    return force_str(_choices(field).get(make_hashable(value), value), strings_only=True)


@functools.cache
def _choices(field) -> dict:
    """A field's choices as get_FOO_display() looks them up (labels still lazy)."""
    return dict(make_hashable(field.flatchoices))


class TableOrEmptyNode(template.Node):
    """The table in <div class="table-wrap"> when there are rows, else the empty card."""

    def __init__(self, rows, empty, testid, paginated, nodelist, empty_nodelist):
        self.rows, self.empty, self.testid = rows, empty, testid
        self.paginated, self.nodelist, self.empty_nodelist = paginated, nodelist, empty_nodelist

    def render(self, context) -> str:
        if self.rows.resolve(context):
            table = format_html('<div class="table-wrap">{}</div>', self.nodelist.render(context))
            if not self.paginated:
                return table
            pagination = context.template.engine.get_template(PAGINATION)
            return table + pagination.render(context)
        if self.empty is None:
            empty = self.empty_nodelist.render(context)  # already escaped, as any template
        else:
            empty = self.empty.resolve(context)
        if self.testid is None:
            return format_html('<div class="card empty">{}</div>', empty)
        testid = self.testid.resolve(context)
        return format_html('<div class="card empty" data-testid="{}">{}</div>', testid, empty)


@register.tag
def table_or_empty(parser, token):
    """{% table_or_empty rows _("No rows.") [testid="…"] [paginated] %} … {% endtable_or_empty %}.

    Where the empty sentence depends on the page, it follows `{% empty %}` instead:
    {% table_or_empty rows [testid="…"] [paginated] %} … {% empty %} … {% endtable_or_empty %}.

    Every table page ends the same way: the table in its frame (then the page links, with
    `paginated`), or one empty card: the same markup pages wrote by hand before, which tests
    and the stylesheet select on.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes the rows")
    rows, options = parser.compile_filter(bits[1]), bits[2:]
    empty = testid = empty_nodelist = None
    paginated = False
    if options and options[0] != "paginated" and not options[0].startswith("testid="):
        empty = parser.compile_filter(options.pop(0))
    for bit in options:
        if bit == "paginated":
            paginated = True
        elif bit.startswith("testid="):
            testid = parser.compile_filter(bit.removeprefix("testid="))
        else:
            raise template.TemplateSyntaxError(f'{bits[0]}: testid="…" or paginated, not {bit}')
    nodelist = parser.parse(("empty", "endtable_or_empty"))
    if parser.next_token().contents == "empty":
        empty_nodelist = parser.parse(("endtable_or_empty",))
        parser.delete_first_token()
    if (empty is None) == (empty_nodelist is None):
        raise template.TemplateSyntaxError(f"{bits[0]}: the empty sentence, or {{% empty %}}")
    return TableOrEmptyNode(rows, empty, testid, paginated, nodelist, empty_nodelist)
