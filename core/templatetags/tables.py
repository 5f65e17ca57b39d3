"""Tables in templates: {% headings _("name") _("village") %} writes a header row's cells."""

from django import template
from django.utils.html import format_html_join

register = template.Library()


@register.simple_tag
def headings(*labels) -> str:
    """One <th> a label, in order, each escaped (labels come translated, as _("…"))."""
    return format_html_join("", "<th>{}</th>", ((label,) for label in labels))
