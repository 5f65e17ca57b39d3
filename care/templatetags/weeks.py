"""Weeks as people say them in templates: {% week_label year week %}."""

from django import template

from care.weekly import week_label as _week_label

register = template.Library()


@register.simple_tag
def week_label(year, week) -> str:
    """ "2026年第48周（11月23日—29日）" for an ISO year and week."""
    return _week_label(int(year), int(week))
