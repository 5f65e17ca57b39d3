"""Quarterly investigation rounds (排查): a county's round, each village's return, the
township's summary, and the snapshots that freeze an approved quarter."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from children.models import Child
from core.models import user_ref
from core.scoping import ScopedQuerySet, code_range, jurisdiction_prefix

COUNTY_DIGITS = 6


class RoundQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A county's rounds are seen by everyone with an area in the county (and above)."""
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return self.none()
        return self.filter(**code_range("county__code", prefix[:COUNTY_DIGITS]))

    def open(self):
        return self.filter(state=Round.State.OPEN)


def quarter_title(year: int, quarter: int) -> str:
    """A quarter as people write it on the pages: "2026年第4季度" ("Q4 2026")."""
    return gettext("Q%(quarter)s %(year)s") % {"year": year, "quarter": quarter}


class QuarterNames:
    """The names of a calendar quarter (its `year` and `quarter`): a round's or the trend's."""

    @property
    def label(self) -> str:
        """The quarter's code ("2026-Q4"), for the API, file names and the audit log."""
        return f"{self.year}-Q{self.quarter}"

    @property
    def title(self) -> str:
        return quarter_title(self.year, self.quarter)


class Round(QuarterNames, models.Model):
    """A county's investigation of every child for one calendar quarter."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    county = models.ForeignKey(
        Area, verbose_name=_("county"), on_delete=models.PROTECT, related_name="rounds"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), choices=[(q, f"Q{q}") for q in range(1, 5)]
    )
    due_on = models.DateField(_("returns due"))
    state = models.CharField(
        _("state"), max_length=6, choices=State.choices, default=State.OPEN, db_index=True
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    opened_by = user_ref()
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = user_ref(blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "quarter"], name="one_round_per_quarter"
            ),
            models.UniqueConstraint(
                fields=["county"], condition=Q(state="open"), name="one_open_round_per_county"
            ),
        ]
        verbose_name = _("investigation round")
        verbose_name_plural = _("investigation rounds")

    def __str__(self):
        return self.label

    @property
    def period_start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def period_end(self) -> dt.date:
        if self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class ReturnState(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned for correction")
    APPROVED = "approved", pgettext_lazy("return", "approved")


# The states in which the village may still check children and submit.
EDITABLE_STATES = {ReturnState.NOT_STARTED, ReturnState.IN_PROGRESS, ReturnState.RETURNED}


class OfRoundAndArea:
    """A row of one round for one area (a return, summary or snapshot), shown so."""

    def __str__(self):
        return f"{self.round} · {self.area}"


class ReturnQuerySet(ScopedQuerySet):
    scope_field = "area__code"

    def overdue(self, on: dt.date):
        """Returns of open rounds past their due date and not yet submitted."""
        return self.filter(round__state=Round.State.OPEN, round__due_on__lt=on).filter(
            state__in=EDITABLE_STATES
        )


class VillageReturn(OfRoundAndArea, models.Model):
    """One village's return in a round: every child checked, then submitted for review."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="returns"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ReturnState.choices,
        default=ReturnState.NOT_STARTED,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = user_ref(blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = user_ref(blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReturnQuerySet.as_manager()

    class Meta:
        ordering = ["area__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "area"], name="one_return_per_village")
        ]
        verbose_name = _("village return")
        verbose_name_plural = _("village returns")

    @property
    def is_editable(self) -> bool:
        return self.round.is_open and self.state in EDITABLE_STATES


class ChildCheck(models.Model):
    """What the village found when it checked one child in a round."""

    class Outcome(models.TextChoices):
        UNCHANGED = "unchanged", _("confirmed unchanged")
        CHANGED = "changed", _("changes recorded")
        CLOSED = "closed", _("closed")
        NEW = "new", _("newly registered")

    village_return = models.ForeignKey(
        VillageReturn, on_delete=models.CASCADE, related_name="checks"
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="round_checks")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    checked_at = models.DateTimeField(_("checked"), auto_now=True)
    # When the check was made on the phone (the outbox); null for checks made before it was
    # kept and for those the registry's work counts (sync_checks).
    made_at = models.DateTimeField(_("checked on the phone at"), null=True, blank=True)
    checked_by = user_ref()
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village_return", "child"], name="one_check_per_child")
        ]

    def __str__(self):
        return f"{self.child_id}: {self.outcome}"


class ReturnEvent(models.Model):
    """A step of a return's workflow, with who took it, when, and any comment."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for correction")
        APPROVED = "approved", _("approved")

    village_return = models.ForeignKey(
        VillageReturn, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = user_ref()
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return self.action


class SummaryState(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("sent back to the township")


class TownshipSummary(OfRoundAndArea, models.Model):
    """A township's summary of a round, submitted once all its villages are approved; the
    county may send it back with a reason, and the township submits it again."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="summaries")
    area = models.ForeignKey(
        Area, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=SummaryState.choices, default=SummaryState.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    submitted_by = user_ref()
    note = models.TextField(_("note"), blank=True)
    figures = models.JSONField(default=dict)
    # The county's last sending back (kept after the township submits again).
    returned_at = models.DateTimeField(_("sent back"), null=True, blank=True)
    returned_by = user_ref(blank=True)
    return_reason = models.TextField(_("why it was sent back"), blank=True)

    objects = ScopedQuerySet.as_manager()  # by the township's code

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "area"], name="one_summary_per_township")
        ]


class VillageSnapshot(OfRoundAndArea, models.Model):
    """A village's roster and figures as approved for a quarter; never changed after."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="snapshots")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField()
    figures = models.JSONField(default=dict)

    objects = ScopedQuerySet.as_manager()  # by the village's code

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "area"], name="one_snapshot_per_village")
        ]


class RoundFiguresQuerySet(ScopedQuerySet):
    scope_field = "code"


class RoundFigures(models.Model):
    """A township's or county's approved figures of a round: the sum of its villages'
    snapshots, kept as each village is approved, so that a trend above a county adds up a
    few thousand county rows instead of millions of village snapshots."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="sums")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=12)
    level = models.CharField(max_length=10)
    villages = models.PositiveIntegerField(default=0)
    figures = models.JSONField(default=dict)

    objects = RoundFiguresQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "area"], name="one_sum_per_round_and_area")
        ]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self):
        return f"{self.round} · {self.code}"


class ChildSnapshot(models.Model):
    """One child's recorded facts as the approved quarter saw them."""

    snapshot = models.ForeignKey(VillageSnapshot, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "child"], name="one_row_per_child")
        ]

    def __str__(self):
        return str(self.child_id)
