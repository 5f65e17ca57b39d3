"""Display helpers for the child registry's templates: history labels and values."""

from django import template

from ..models import ChildChange

register = template.Library()


@register.filter
def history_rows(changes: dict):
    """A child's {field: [before, after]} as (label, before, after) rows for display, as the
    child's history shows them (ChildChange.rows)."""
    return ChildChange(changes=changes).rows()
