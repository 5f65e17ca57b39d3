"""The audit log in words, in templates: {{ entry.action|audit_label }},
{{ entry|audit_details }} (see core.audit_text)."""

from django import template

from core.audit_text import describe, summarise

register = template.Library()


@register.filter
def audit_label(action: str) -> str:
    """What the action did, in the reader's language."""
    return describe(action)


@register.filter
def audit_details(entry) -> str:
    """An entry's details for people: "field: before → after; …" with the records' labels."""
    return summarise(entry)


@register.filter
def audit_link(entry, links: dict) -> str:
    """The page of the entry's record while it exists (from core.audit_text.links)."""
    return (links or {}).get(entry.pk, "")
