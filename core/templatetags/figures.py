"""Figures in templates.

{% stat value label href=… tone=… testid=… of=… %} writes one figure card of a
<div class="stats"> row: the figure (with of, "value / of") over its label, the whole card a link
where href is given. A label that needs values is made first with
{% blocktranslate … asvar label %}. {{ share|percent }} writes a share as "42%", or "—" where
there is none (no children to count it over); tone=count|alarm makes a card of a count that
should be nought (overdue, vacant) "bad" when there is any, else "ok".
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

NO_SHARE = "—"


@register.simple_tag
def stat(value, label, href="", tone="", testid="", of=None):
    """A figure card: `tone` is a class of the card ("ok", "bad"), `testid` its data-testid.

    Written here rather than in a template: a dashboard has some twenty cards, and the card is
    one element whether it is a link or not."""
    classes = f"stat {tone}" if tone else "stat"
    figure = value if of is None else format_html("{} / {}", value, of)
    attributes = format_html(' href="{}"', href) if href else mark_safe("")
    if testid:
        attributes += format_html(' data-testid="{}"', testid)
    tag = "a" if href else "div"
    return format_html(
        '<{} class="{}"{}><span class="n">{}</span> <span class="l">{}</span></{}>',
        tag,
        classes,
        attributes,
        figure,
        label,
        tag,
    )


@register.filter
def percent(share):
    """A share in percent ("42%"), or a dash where there is none (None)."""
    if share is None:
        return NO_SHARE
    return f"{share}%"


@register.filter
def alarm(count):
    """The tone of a count that should be nought: "bad" when there is any, else "ok"."""
    return "bad" if count else "ok"
