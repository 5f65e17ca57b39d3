"""Home visits and weekly children's-home activities."""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area, ServicePoint
from children.models import Child, child_ref
from core.history import Change
from core.models import Stamped
from core.scoping import ScopedQuerySet

# A visit that arrived this long after it was made was sent later from the phone's outbox.
SENT_LATER = dt.timedelta(minutes=1)


class Assessment(models.TextChoices):
    FINE = "fine", _("fine")
    CONCERN = "concern", _("concern")
    URGENT = "urgent", _("urgent")


def assessed(label):
    """The two fields of an aspect assessed at a visit: its level and a note on it."""
    level = models.CharField(
        label, max_length=8, choices=Assessment.choices, default=Assessment.FINE
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    return level, note


class VisitQuerySet(ScopedQuerySet):
    """Visits, scoped by the child's current village: after a transfer the child's history
    of visits goes with the child to the receiving village."""

    scope_field = "child__area__code"


class Visit(Stamped):
    """A director's (or officer's) visit to a child, with what was found and done."""

    class Mode(models.TextChoices):
        HOME = "home", _("home visit")
        CALL = "call", _("phone or video call with parents")
        SCHOOL = "school", _("school visit")
        CHILDRENS_HOME = "childrens_home", _("at the children's home")

    class Referral(models.TextChoices):
        TOWNSHIP = "township", _("township")
        POLICE = "police", _("police")
        SCHOOL = "school", _("school")
        HEALTH = "health", _("health services")
        SOCIAL_WORKER = "social_worker", _("social worker")

    # The aspects assessed at every visit, in the order the form shows them.
    ASPECTS = ["living", "safety", "health", "study", "psychological", "guardianship"]

    child = child_ref("visits")
    area = models.ForeignKey(
        Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("date"), db_index=True)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visitor"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.HOME)
    met_child = models.BooleanField(_("met the child"), default=True)
    met_caregiver = models.BooleanField(_("met the caregiver"), default=False)
    met_parents = models.BooleanField(_("spoke with the parents (phone)"), default=False)
    living, living_note = assessed(_("living conditions"))
    safety, safety_note = assessed(_("safety"))
    health, health_note = assessed(_("health"))
    study, study_note = assessed(_("study"))
    psychological, psychological_note = assessed(_("psychological state"))
    guardianship, guardianship_note = assessed(_("guardianship"))
    problems = models.TextField(_("problems found"), blank=True)
    actions = models.TextField(_("actions taken"), blank=True)
    referrals = models.JSONField(_("referrals"), default=list, blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    # When the record was made on the phone (an offline record sent later through the
    # outbox); `created_at` is when it arrived. Null for visits recorded before it was kept.
    made_at = models.DateTimeField(_("recorded on the phone at"), null=True, blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["child", "visited_on"])]

    def __str__(self):
        return f"{self.child} {self.visited_on:%Y-%m-%d}"

    def findings(self) -> list[tuple[str, str, str]]:
        """(aspect, level, note) for every aspect that is not fine."""
        return [
            (aspect, getattr(self, aspect), getattr(self, f"{aspect}_note"))
            for aspect in self.ASPECTS
            if getattr(self, aspect) != Assessment.FINE
        ]

    @property
    def sent_later(self) -> bool:
        """Recorded on the phone and sent later (the outbox): it arrived over a minute after."""
        return self.made_at is not None and self.created_at - self.made_at > SENT_LATER

    @property
    def worst(self) -> str:
        levels = {level for _a, level, _n in self.findings()}
        if Assessment.URGENT in levels:
            return Assessment.URGENT
        return Assessment.CONCERN if levels else Assessment.FINE


class VisitSummary(models.Model):
    """Each child's latest visit and its follow-up date, kept by the visit services, so that
    schedules and compliance counts read one joined row per child instead of searching the
    visits table for every child again (about 10x faster at county scale)."""

    child = models.OneToOneField(
        Child, primary_key=True, on_delete=models.CASCADE, related_name="visit_summary"
    )
    last_visit = models.DateField(null=True, blank=True)
    follow_up = models.DateField(null=True, blank=True)

    def __str__(self):
        return f"{self.child_id}: {self.last_visit}"


def refresh_summaries(child_ids) -> None:
    """Recompute the summaries of the given children from their visits."""
    latest = {}
    for child_id, day, follow_up in (
        Visit.objects.filter(child_id__in=child_ids)
        .order_by("child_id", "visited_on", "id")
        .values_list("child_id", "visited_on", "follow_up_on")
    ):
        latest[child_id] = (day, follow_up)  # ordered: the last one wins
    VisitSummary.objects.filter(child_id__in=child_ids).delete()
    VisitSummary.objects.bulk_create(
        [
            VisitSummary(child_id=pk, last_visit=day, follow_up=follow_up)
            for pk, (day, follow_up) in latest.items()
        ],
        batch_size=2000,
    )


class VisitChange(Change):
    """A correction to a visit: the fields it changed (corrections never overwrite silently)."""

    # No foreign key in the database: visits are partitioned by year on PostgreSQL
    # (core.partitions), where an id alone is not unique; Django cascades the deletes.
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="changes", db_constraint=False
    )

    record_model = Visit


class ActivityQuerySet(ScopedQuerySet):
    scope_field = "home__area__code"


class Activity(Stamped):
    """An activity held at a children's home (at least one per ISO week)."""

    class Theme(models.TextChoices):
        POLICY = "policy", _("policy promotion")
        SAFETY = "safety", _("safety education")
        STUDY = "study", _("study help")
        ARTS = "arts", _("arts and crafts")
        PSYCHOLOGICAL = "psychological", _("psychological support")
        FESTIVAL = "festival", _("festival")
        OTHER = "other", _("other")

    home = models.ForeignKey(
        ServicePoint,
        verbose_name=_("children's home"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    held_on = models.DateField(_("date"), db_index=True)
    theme = models.CharField(_("theme"), max_length=14, choices=Theme.choices)
    description = models.TextField(_("description"), blank=True)
    children = models.ManyToManyField(
        Child, verbose_name=_("children attending"), blank=True, related_name="activities"
    )
    helper_accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteers and social workers"),
        blank=True,
        related_name="activities_helped",
    )
    # Helpers without an account (a teacher, a visiting volunteer group …).
    helpers = models.CharField(_("other helpers"), max_length=300, blank=True)
    adults = models.PositiveSmallIntegerField(_("number of adults"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # When it was recorded on the phone (the outbox); `created_at` is when it arrived.
    made_at = models.DateTimeField(_("recorded on the phone at"), null=True, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.home} {self.held_on:%Y-%m-%d} {self.get_theme_display()}"


class ActivityChange(Change):
    """A correction to an activity: the fields it changed (the children and helpers who came
    as their numbers)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="changes")

    record_model = Activity

    @classmethod
    def shown(cls, key, value) -> str:
        field = cls.field(key)
        if field is not None and field.is_relation and value not in (None, ""):
            # Numbers of records, not names: the page reads no more rows to show them.
            return str(len(value)) if isinstance(value, list) else f"#{value}"
        return super().shown(key, value)


def _photo_name(photo, filename) -> str:
    # A name that says nothing of the child: the month it arrived and a random id.
    return f"photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class Photo(models.Model):
    """A photo of a visit or of a weekly activity, taken with the phone's camera: resized and
    stripped of its metadata (the location) on the phone and again here (core.images), kept
    through Django's storage (MEDIA_ROOT, or object storage: settings), shown only through
    care's photo page to those who may see its record, each view audited."""

    MAX_PER_RECORD = 6

    # The id the phone made (the outbox): the same photo sent again is stored once.
    client_id = models.UUIDField(_("id made on the phone"), unique=True, null=True, blank=True)
    visit = models.ForeignKey(  # no database constraint: see VisitChange.visit
        Visit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
        db_constraint=False,
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("photo"), upload_to=_photo_name)
    width = models.PositiveSmallIntegerField(_("width"))
    height = models.PositiveSmallIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size in bytes"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # When it was taken on the phone; `created_at` is when it arrived.
    made_at = models.DateTimeField(_("taken on the phone at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visit__isnull=False, activity__isnull=True)
                | models.Q(visit__isnull=True, activity__isnull=False),
                name="care_photo_of_one_record",
            )
        ]

    def __str__(self):
        return f"photo {self.pk} of {self.record}"

    @property
    def record(self):
        """The visit or the activity the photo belongs to."""
        return self.visit if self.visit_id else self.activity

    @property
    def audit_area_code(self) -> str:
        return self.visit.area.code if self.visit_id else self.activity.home.area.code
