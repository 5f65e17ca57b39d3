"""One design of a record's history: an entry per change, with the fields it changed.

A concrete history is a model subclassing `Change` with a foreign key to its record (a child,
a visit, an activity, a relief measure) and `record_model` naming the model whose fields the
keys of `changes` are; services write entries with `record_change`, pages show them with the
template partial "core/partials/_history.html".
"""

import functools

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from .audit import field_changes

EMPTY = "—"


class Change(models.Model):
    """One change to a record, with the field-level before/after (never edited)."""

    class Kind(models.TextChoices):
        UPDATED = "updated", _("updated")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the account goes: the history still says who made the change.
    actor_username = models.CharField(_("by"), max_length=150, blank=True)
    kind = models.CharField(_("change"), max_length=14, choices=Kind.choices, default=Kind.UPDATED)
    # {field: [before, after]}, only the fields that changed (core.audit.field_changes).
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    # The model whose fields the keys of `changes` name: labels and choice labels come from it.
    record_model: type[models.Model] | None = None
    # The fields shown, in this order; None: every changed field, alphabetically.
    shown_fields: tuple[str, ...] | None = None

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"

    @classmethod
    def field(cls, key):
        """The record's model field a key of `changes` names (None if it names none)."""
        try:
            return cls.record_model._meta.get_field(key)
        except FieldDoesNotExist:
            return None

    @classmethod
    def label(cls, key) -> str:
        """A key of `changes` as the history shows it: the field's label."""
        field = cls.field(key)
        return str(field.verbose_name) if field is not None else key

    @classmethod
    def shown(cls, key, value) -> str:
        """A value of `changes` as the history shows it: choice labels, yes/no, lists joined."""
        if value is None or value == "":
            return EMPTY
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        field = cls.field(key)
        if field is not None and field.choices:
            return str(_choices(field).get(value, value))
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        return str(value)

    def rows(self) -> list[tuple[str, str, str]]:
        """This change as (label, before, after) rows for display."""
        keys = self.shown_fields or sorted(self.changes)
        return [
            (self.label(key), self.shown(key, before), self.shown(key, after))
            for key in keys
            if key in self.changes
            for before, after in [self.changes[key]]
        ]


def change_entry(history, actor, changes: dict, *, kind=Change.Kind.UPDATED, note="", **record):
    """An unsaved entry of the concrete history model `history` (for bulk writers)."""
    return history(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_username=getattr(actor, "username", "") or "",
        kind=kind,
        changes=changes,
        note=note,
        **record,
    )


def record_change(
    history, actor, before: dict, after: dict, *, kind=Change.Kind.UPDATED, note="", **record
) -> dict:
    """Write one entry of `history` for the record (given as its foreign key, e.g.
    visit=visit) with the fields that differ between the states `before` and `after`;
    returns those changes ({field: [before, after]})."""
    changes = field_changes(before, after)
    change_entry(history, actor, changes, kind=kind, note=note, **record).save()
    return changes


def earliest_state(current: dict, entries) -> dict:
    """The state a record was first recorded in: its current state with the changes undone,
    newest first (`entries` in that order)."""
    state = dict(current)
    for entry in entries:
        for key, (before, _after) in entry.changes.items():
            state[key] = before
    return state


def assign(record, data: dict, fields) -> None:
    """Set on `record` the values in `data` of the `fields` an edit may change; the rest of
    `data` (related sets, the version an edit is based on) is the caller's."""
    for name, value in data.items():
        if name in fields:
            setattr(record, name, value)


@functools.cache
def _choices(field) -> dict:
    """A field's choices as a dict, made once per process (the labels stay lazy: each is
    written in the language active where it is shown); a history repeats the same fields."""
    return dict(field.choices)
