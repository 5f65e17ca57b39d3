"""Optimistic concurrency for edits: a save based on a stale copy is refused.

The form (or the API client, as `version`) carries the version (the record's `updated_at`) it
was based on; if the stored record has changed since, the save is refused with a clear message
and nothing is written. Forms check it as they validate (core.forms.VersionedForm, an error on the
page); services check it again with the row locked (`lock_current`), so two saves of the same
version cannot both pass, and the API answers their `Stale` (core.exceptions) with 409.
"""

import datetime as dt

from django.utils.dateparse import parse_datetime

from .exceptions import Stale


def version_of(obj) -> str:
    """The version token of a record: its last update time."""
    return obj.updated_at.isoformat() if obj.updated_at else ""


def is_current(obj, token) -> bool:
    """Whether a version token (as text in any time zone, or a datetime) is the record's."""
    if obj is None or not token:
        return False
    if isinstance(token, dt.datetime):
        when = token
    else:
        try:
            when = parse_datetime(str(token).strip())
        except ValueError:  # well-formed but impossible, e.g. 30 February
            return False
    return when is not None and when == obj.updated_at


def lock_current(queryset, pk, based_on):
    """The row `pk` of `queryset`, locked for the rest of the transaction; raises Stale
    when it is no longer the version `based_on`."""
    stored = queryset.select_for_update().get(pk=pk)
    if not is_current(stored, based_on):
        raise Stale
    return stored
