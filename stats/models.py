"""One row of figures per village, kept current as the data change: dashboards add rows up
instead of counting children, visits and measures on every page view."""

from django.db import models
from django.utils import timezone

from areas.models import Area
from core.scoping import ScopedQuerySet
from rounds.figures import CATEGORIES

# Every figure a village row holds, in the order the dashboard shows them. All are counts.
FIGURES = [
    # The registry: active children by category, care level, sex and age band.
    "children",
    *CATEGORIES,
    "special",
    "ordinary_level",
    "boys",
    "girls",
    "age_0_5",
    "age_6_13",
    "age_14_15",
    "age_16_17",
    # This quarter: registered, closed.
    "new_quarter",
    "closed_quarter",
    # Visits: the care engine's own rules (care.compliance.figure_filters).
    "special_visited",
    "special_overdue",
    "ordinary_visited",
    "ordinary_overdue",
    # Children's homes and their weekly activity.
    "homes",
    "homes_active_week",
    "homes_active_last_week",
    # Relief and assistance contacts for special-attention children.
    "special_with_relief",
    "special_with_contact",
    # Concerns (children.Concern) still open, and those past their due date: counts of
    # concerns, each drilling down to the concerns list of the area.
    "concerns_open",
    "concerns_overdue",
    # The open round: this village's return, as one count in its state's column.
    "return_not_started",
    "return_in_progress",
    "return_submitted",
    "return_returned",
    "return_approved",
]


class StatsQuerySet(ScopedQuerySet):
    scope_field = "code"


class VillageStats(models.Model):
    """A village's figures on `on`, computed at `computed_at` from the raw tables."""

    area = models.OneToOneField(
        Area, primary_key=True, on_delete=models.CASCADE, related_name="stats"
    )
    code = models.CharField(max_length=12, unique=True)
    on = models.DateField()
    computed_at = models.DateTimeField()

    objects = StatsQuerySet.as_manager()

    class Meta:
        verbose_name = "village figures"

    def __str__(self):
        return self.code


class AreaStats(models.Model):
    """A township's or county's figures: the sum of its village rows, kept with them.

    The nation's dashboard adds up some 2,850 county rows instead of 490,000 village rows,
    and a county's adds up its townships': what a page costs follows the units it shows.
    `computed_at` is the oldest of the village rows summed (the data's age).
    """

    area = models.OneToOneField(
        Area, primary_key=True, on_delete=models.CASCADE, related_name="rollup"
    )
    code = models.CharField(max_length=12, unique=True)
    level = models.CharField(max_length=10, db_index=True)
    villages = models.PositiveIntegerField(default=0)
    on = models.DateField(null=True)
    computed_at = models.DateTimeField(null=True)

    objects = StatsQuerySet.as_manager()

    class Meta:
        verbose_name = "area figures"

    def __str__(self):
        return self.code


for _name in FIGURES:
    VillageStats.add_to_class(_name, models.PositiveIntegerField(default=0))
    AreaStats.add_to_class(_name, models.PositiveIntegerField(default=0))


class Recount(models.Model):
    """One run of the nightly recount split into chunks (stats.tasks): how many chunks,
    how many have finished, and when the roll-up above them was started. The chunk that
    finishes last starts the roll-up: a conditional UPDATE on this row lets exactly one do it.
    """

    on = models.DateField()
    chunks = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    villages = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    rolled_up_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "recount"

    def __str__(self):
        return f"recount of {self.on} ({self.chunks_done}/{self.chunks})"


class RecountChunk(models.Model):
    """One chunk of a recount: the villages of a few whole counties (so each county's and
    its townships' sums are complete within the chunk). Counted once however often it runs."""

    recount = models.ForeignKey(Recount, on_delete=models.CASCADE, related_name="parts")
    # County code prefixes (6 digits) whose villages the chunk recounts.
    counties = models.JSONField(default=list)
    villages = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "recount chunk"

    def __str__(self):
        return f"{self.recount_id}: {len(self.counties)} counties"
