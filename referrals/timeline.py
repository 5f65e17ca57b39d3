"""A child's case plan: open concerns, referrals, applications for benefits and relief
measures in one timeline, newest first.

Each part comes from a *source*: a function `source(child, today) -> list[Entry]` that reads
its records of the child in a bounded number of queries (one, for the sources here). An app
above this one adds its part with `register`:

    from referrals import timeline
    timeline.register(a_source)

`case_plan` calls every registered source, in the order registered, and merges their
entries by date.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from children.models import Concern
from relief.models import ReliefMeasure

from .models import Referral


@dataclass(frozen=True)
class Entry:
    """One line of the case plan."""

    on: dt.date  # when it started (opened, referred, from month)
    part: str  # which part of the plan: "concern", "referral", "measure", …
    part_label: str
    title: str
    state: str  # the state as people read it
    url: str  # its own page
    open: bool  # still being worked on
    overdue: bool = False
    pk: int | None = None


Source = Callable[[object, dt.date], list[Entry]]
SOURCES: list[Source] = []


def register(source: Source) -> Source:
    """Add a part to every child's case plan (usable as a decorator); registering the same
    source twice adds it once."""
    if source not in SOURCES:
        SOURCES.append(source)
    return source


def case_plan(child, today: dt.date) -> list[Entry]:
    """The child's case plan: every registered source's entries, newest first (open ones
    first on the same day)."""
    entries = [entry for source in SOURCES for entry in source(child, today)]
    return sorted(entries, key=lambda e: (e.on, e.open, e.pk or 0), reverse=True)


@register
def open_concerns(child, today: dt.date) -> list[Entry]:
    """The concerns still open (closed ones are the child's page's history)."""
    concerns = Concern.objects.filter(child=child).open()
    return [
        Entry(
            on=c.opened_on,
            part="concern",
            part_label=str(_("concern")),
            title=c.finding,
            state=c.get_state_display(),
            url=reverse("children:concern", args=[c.pk]),
            open=True,
            overdue=c.is_overdue(today),
            pk=c.pk,
        )
        for c in concerns
    ]


@register
def referrals(child, today: dt.date) -> list[Entry]:
    """Every referral of the child, answered and withdrawn ones too (what was tried)."""
    found = Referral.objects.filter(child=child).select_related("organisation", "receiver_user")
    return [
        Entry(
            on=r.made_on,
            part="referral",
            part_label=str(_("referral")),
            title=f"{r.get_kind_display()}{' · ' + r.receiver if r.receiver else ''}: {r.reason}",
            state=r.get_state_display(),
            url=reverse("referrals:detail", args=[r.pk]),
            open=r.is_open,
            overdue=r.is_overdue(today),
            pk=r.pk,
        )
        for r in found
    ]


@register
def applications(child, today: dt.date) -> list[Entry]:
    """Every application for a benefit, decided ones too (what was asked and what came of
    it), with the step it waits on."""
    found = Application.objects.filter(child=child).select_related("programme")
    return [
        Entry(
            on=a.opened_on,
            part="application",
            part_label=str(_("application")),
            title=a.programme.name,
            state=a.get_state_display(),
            url=reverse("applications:detail", args=[a.pk]),
            open=a.is_open,
            overdue=a.is_overdue(today),
            pk=a.pk,
        )
        for a in found
    ]


@register
def relief_measures(child, today: dt.date) -> list[Entry]:
    """Relief measures applied for, approved or in effect (ended ones are relief's history)."""
    measures = ReliefMeasure.objects.filter(child=child).current().select_related("programme")
    return [
        Entry(
            on=m.start_month,
            part="measure",
            part_label=str(_("relief measure")),
            title=f"{m.programme.name} · {m.months}",
            state=m.get_status_display(),
            url=reverse("relief:measure_history", args=[m.pk]),
            open=True,
            pk=m.pk,
        )
        for m in measures
    ]
