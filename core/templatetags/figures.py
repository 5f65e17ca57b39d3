"""Figures in templates.

{% stat value label href=… tone=… testid=… of=… %} writes one figure card of a
<div class="stats"> row: the figure (with of, "value / of") over its label, the whole card a link
where href is given. A label that needs values is made first with
{% blocktranslate … asvar label %}. {{ share|percent }} writes a share as "42%", or "—" where
there is none (no children to count it over); tone=count|alarm makes a card of a count that
should be nought (overdue, vacant) "bad" when there is any, else "ok".
"""

from django import template

register = template.Library()

NO_SHARE = "—"


@register.inclusion_tag("core/_stat.html")
def stat(value, label, href="", tone="", testid="", of=None):
    """A figure card: `tone` is a class of the card ("ok", "bad"), `testid` its data-testid."""
    classes = f"stat {tone}" if tone else "stat"
    return {
        "classes": classes,
        "value": value,
        "of": of,
        "label": label,
        "href": href,
        "testid": testid,
    }


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
