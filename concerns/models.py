"""Reports of concern (强制报告): anyone who finds a child harmed, or at risk, reports it; the
report is routed to the village director and the township supervisor of the place, gets a
deadline by urgency, and moves from received to closed with its outcome and referral."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from children.models import child_ref
from core.models import user_ref
from people.models import HelperOwnQuerySet
from people.roles import Role


class Situation(models.TextChoices):
    """The nine reportable situations of the 2020 opinion on mandatory reporting (Art. 4),
    and "other"."""

    PRIVATE_INJURY = "private_injury", _("injury to the genitals or private parts")
    GIRL_UNDER_14 = (
        "girl_under_14",
        _("a girl under 14 sexually assaulted, pregnant or who has had an abortion"),
    )
    GIRL_14_PLUS = (
        "girl_14_plus",
        _("a girl of 14 or over pregnant or who has had an abortion after sexual assault"),
    )
    VIOLENCE = (
        "violence",
        _(
            "injuries, severe malnutrition or impaired consciousness suggesting violence, "
            "bullying or abuse"
        ),
    )
    SELF_HARM = "self_harm", _("disability or death from suicide, self-harm or poisoning")
    ABANDONED = "abandoned", _("abandoned, or long without anyone caring for the child")
    MISSING = "missing", _("of unknown origin, missing or trafficked")
    BEGGING = "begging", _("organised to beg")
    OTHER_HARM = "other_harm", _("other serious harm or imminent danger")
    OTHER = "other", _("other concern")


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", _("immediate: the child is in danger now")
    NORMAL = "normal", _("within days")


class Source(models.TextChoices):
    STAFF = "staff", _("staff or helper")
    PUBLIC = "public", _("public reporting page")


class ReporterRole(models.TextChoices):
    TEACHER = "teacher", _("teacher")
    DOCTOR = "doctor", _("doctor or nurse")
    NEIGHBOUR = "neighbour", _("neighbour")
    RELATIVE = "relative", _("relative")
    CHILD = "child", _("the child")
    OTHER = "other", _("other")


class State(models.TextChoices):
    RECEIVED = "received", _("received")
    ASSESSING = "assessing", _("under assessment")
    ACTION_TAKEN = "action_taken", _("action taken")
    CLOSED = "closed", _("closed")


class Referral(models.TextChoices):
    NONE = "", _("no referral")
    POLICE = "police", _("police")
    GUARDIANSHIP = "guardianship", _("civil affairs: temporary guardianship")
    SCHOOL = "school", _("school")
    HEALTH = "health", _("health services")


# Who reads a reporter's identity: township and county officers (the reporter is protected).
REPORTER_ROLES = {Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_STAFF, Role.COUNTY_OFFICER}


def sees_reporter(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in REPORTER_ROLES)


class ReportQuerySet(HelperOwnQuerySet):
    """Reports, scoped by the village of the place; a helper sees the ones they filed."""

    scope_field = "area__code"
    helper_field = "reporter_user"

    def open(self):
        return self.exclude(state=State.CLOSED)


class ConcernReport(models.Model):
    """One report of a child harmed or at risk."""

    area = models.ForeignKey(
        Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("place"), max_length=200)
    situation = models.CharField(_("situation"), max_length=16, choices=Situation.choices)
    description = models.TextField(_("what happened"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    child_name = models.CharField(_("child's name, if known"), max_length=50, blank=True)
    child_age = models.PositiveSmallIntegerField(_("child's age, if known"), null=True, blank=True)
    child = child_ref("concern_reports", null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    # The reporter: confidential, shown only to township and county officers.
    reporter_user = user_ref(blank=True)
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=30, blank=True)
    reporter_role = models.CharField(
        _("reporter is"), max_length=10, choices=ReporterRole.choices, blank=True
    )
    received_at = models.DateTimeField(_("received"))
    deadline = models.DateTimeField(_("act by"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.RECEIVED
    )
    first_action_at = models.DateTimeField(_("first action"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    referral = models.CharField(_("referral"), max_length=12, choices=Referral.choices, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the county"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["state", "deadline"]
        indexes = [models.Index(fields=["state", "deadline"])]
        verbose_name = _("report of concern")
        verbose_name_plural = _("reports of concern")

    def __str__(self):
        return f"#{self.pk} {self.get_situation_display()}"

    @property
    def reference(self) -> str:
        return f"{self.received_at:%Y%m%d}-{self.pk}"


class ReportEvent(models.Model):
    """A step in a report's handling: who moved it, to what, with what note."""

    report = models.ForeignKey(ConcernReport, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = user_ref()
    state = models.CharField(max_length=12, choices=State.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.report_id} {self.state}"


class ChangeKind(models.TextChoices):
    PARENT_LEFT = "parent_left", _("a parent left to work away")
    PARENT_RETURNED = "parent_returned", _("a parent came home")
    CAREGIVER_CAPACITY = "caregiver_capacity", _("the caregiver can no longer care")
    DROPPED_OUT = "dropped_out", _("the child dropped out of school")
    URGENT_FINDING = "urgent_finding", _("an urgent finding")


class ChangeEvent(models.Model):
    """A change in a child's situation found between rounds (动态管理): the record is
    changed at once, the child classified again, and the village and township told."""

    child = child_ref("change_events")
    kind = models.CharField(_("change"), max_length=20, choices=ChangeKind.choices)
    on = models.DateField(_("date"))
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    level_before = models.CharField(max_length=10)
    level_after = models.CharField(max_length=10)
    recorded_by = user_ref()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]
        verbose_name = _("change in a child's situation")

    def __str__(self):
        return f"{self.child_id} {self.kind} {self.on}"
