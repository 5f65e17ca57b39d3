"""Eligibility checks (issue 16, point 4): a special-attention child whose situation qualifies
for a benefit that neither a current measure nor an open application covers, and a measure
still paid for a child who has left the register.

One rule each, in RULES: who qualifies (a filter on the child, as of a day), which of the
catalogue's programmes cover it (relief/catalogue.py's codes) and which one to apply for. The
gap report (villagefiles.gaps) lists the children each rule finds under an area, two queries
a rule; the child's page shows the rules its situation calls for (`unmet_for`), each with the
link to apply. docs/rules.md §7.1 states the rules.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from children.choices import CareLevel, Health, Status
from children.models import Child
from children.policy import birthday_cutoff
from core.compiled import prepared, sentinel_id
from relief.models import ReliefMeasure

from .models import Application

# Disabled children's rehabilitation covers children aged 0–6 (国发〔2018〕20号).
REHABILITATION_UNDER = 7


@dataclass(frozen=True)
class Rule:
    """A benefit a child's situation calls for: `qualifies(today)` filters the children it
    applies to; a current measure or an open application of one of the programmes `codes`
    meets it; `apply_for` is the programme a line offers to apply for."""

    key: str
    title: Promise  # the gap report's heading
    missing: Promise  # what one line says is missing
    codes: tuple[str, ...]
    qualifies: Callable[[dt.date], Q]
    apply_for: str


def _young_disabled(today: dt.date) -> Q:
    return Q(health=Health.DISABLED, birth_date__gt=birthday_cutoff(today, REHABILITATION_UNDER))


RULES = [
    Rule(
        "orphan_without_allowance",
        _("Orphans without the orphan allowance"),
        _("no orphan basic living allowance"),
        ("orphan_institution", "orphan_scattered"),
        lambda today: Q(is_orphan=True),
        # A registered village child lives in the community (社会散居).
        "orphan_scattered",
    ),
    Rule(
        "fuc_without_subsidy",
        _("De facto unsupported children without the subsidy or an application"),
        _("no de facto unsupported children's subsidy, nor an application for it"),
        ("fuc",),
        lambda today: Q(is_fuc=True),
        "fuc",
    ),
    Rule(
        "dibao_without_measure",
        _("Households on the minimum living allowance without a measure"),
        _("household on dibao, no minimum living allowance measure recorded"),
        ("dibao",),
        lambda today: Q(dibao=True),
        "dibao",
    ),
    Rule(
        "young_disabled_without_rehabilitation",
        _("Disabled children aged 0–6 without rehabilitation"),
        _("disabled and aged 0–6, no rehabilitation measure"),
        ("rehabilitation",),
        _young_disabled,
        "rehabilitation",
    ),
]
RULES_BY_KEY = {rule.key: rule for rule in RULES}


def _covered(codes: Iterable[str]) -> Q:
    """A current measure or an open application (being checked or decided) of these
    programmes."""
    measure = ReliefMeasure.objects.current().filter(
        child=OuterRef("pk"), programme__code__in=codes
    )
    application = Application.objects.open().filter(child=OuterRef("pk"), programme__code__in=codes)
    return Q(Exists(measure)) | Q(Exists(application))


def unmet_condition(rule: Rule, today: dt.date) -> Q:
    """The condition an active child meets when this rule finds it unmet: special attention,
    qualifying, no current measure of the rule's programmes (the gap report tests it for
    several rules in one walk of the register)."""
    return Q(care_level=CareLevel.SPECIAL) & rule.qualifies(today) & ~_covered(rule.codes)


def unmet(rule: Rule, prefix: str, today: dt.date):
    """The special-attention children under `prefix` this rule finds unmet, as the gap report
    lists them."""
    return (
        Child.objects.within(prefix)
        .active()
        .filter(unmet_condition(rule, today))
        .select_related("area__parent")
        .order_by("area__code", "name_pinyin", "id")
    )


def paid_after_leaving(prefix: str, today: dt.date):
    """Measures still in effect this month for children whose record is closed: payment
    should have stopped from the month after they left the register."""
    this_month = today.replace(day=1)
    return (
        ReliefMeasure.objects.within(prefix)
        .filter(status=ReliefMeasure.Status.ACTIVE, child__status=Status.CLOSED)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=this_month))
        .select_related("child__area__parent", "programme")
        .order_by("child__area__code", "child__name_pinyin", "pk")
    )


def unmet_for(child: Child, today: dt.date) -> list[Rule]:
    """The rules this child's situation calls for that no current measure or open
    application meets. Special-attention children only, as the gap report. One query: each
    rule's own filters, read for this child; compiled once a day and process
    (core.compiled), the child's id its value: building it was 3–7 ms of every special
    child's page (bench/README.md)."""
    if child.status != Status.ACTIVE or child.care_level != CareLevel.SPECIAL:
        return []

    def make(pk):
        # .order_by(): as get() did (the children's ordering would join for nothing).
        return (
            Child.objects.filter(pk=pk)
            .order_by()
            .values(
                **{
                    rule.key: ExpressionWrapper(
                        rule.qualifies(today) & ~_covered(rule.codes),
                        output_field=BooleanField(),
                    )
                    for rule in RULES
                }
            )
        )

    # The rules' filters hold dates derived from `today`: the day is part of the key.
    query = prepared(("applications.unmet_for", today), make, sentinel_id(), model=Child)
    rows = query.run(child.pk)
    if not rows:  # as get() would: the child is gone
        raise Child.DoesNotExist
    return [rule for rule in RULES if rows[0][rule.key]]
