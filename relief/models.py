"""Relief programmes (a county's catalogue), relief measures and assistance contacts."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from children.models import child_ref
from core.history import Change
from core.models import Stamped, user_ref
from core.scoping import CountyQuerySet, ScopedQuerySet, can_manage, jurisdiction_prefix


class Payment(models.TextChoices):
    MONTHLY = "monthly", _("per month")
    ONE_OFF = "one_off", _("one-off")


class ProgrammeQuerySet(CountyQuerySet):
    """A county's catalogue is visible to everyone working in the county."""

    def editable_by(self, user):
        """Only county officers edit their county's catalogue."""
        prefix = jurisdiction_prefix(user)
        if prefix is None or not can_manage(user) or len(prefix) > 6:
            return self.none()
        return self.within(prefix)


class Programme(models.Model):
    """One relief programme of a county's catalogue; its standard amount is data."""

    county = models.ForeignKey(
        Area, verbose_name=_("county"), on_delete=models.PROTECT, related_name="programmes"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    payment = models.CharField(
        _("paid"), max_length=8, choices=Payment.choices, default=Payment.MONTHLY
    )
    standard_amount = models.DecimalField(
        _("standard amount (yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty where the amount is set case by case."),
    )
    provider = models.CharField(_("usual provider"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["county", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="programme_code_per_county")
        ]
        verbose_name = _("relief programme")
        verbose_name_plural = _("relief programmes")

    def __str__(self):
        return self.name

    @property
    def audit_area_code(self) -> str:
        return self.county.code


class MeasureQuerySet(ScopedQuerySet):
    """Measures and contacts are scoped by the child's current village."""

    scope_field = "child__area__code"

    def current(self):
        """Measures applied for, approved or being paid (not ended)."""
        return self.exclude(status=ReliefMeasure.Status.ENDED)


class ReliefMeasure(Stamped):
    """A relief measure for one child: which programme, how much, from when, by whom."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        APPROVED = "approved", _("approved")
        # Not the bare "active", which is translated for records (在用).
        ACTIVE = "active", _("in effect")
        ENDED = "ended", _("ended")

    class Provider(models.TextChoices):
        GOVERNMENT = "government", _("government department")
        ORGANISATION = "organisation", _("social organisation")
        PERSON = "person", _("person")

    child = child_ref("relief_measures")
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    payment = models.CharField(
        _("paid"), max_length=8, choices=Payment.choices, default=Payment.MONTHLY
    )
    # Months are stored as their first day.
    start_month = models.DateField(_("from month"))
    end_month = models.DateField(_("to month"), null=True, blank=True)
    provider_kind = models.CharField(
        _("provider"), max_length=12, choices=Provider.choices, default=Provider.GOVERNMENT
    )
    provider_name = models.CharField(_("provider's name"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.APPLIED, db_index=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = user_ref()

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["-start_month", "-pk"]
        verbose_name = _("relief measure")
        verbose_name_plural = _("relief measures")
        # A safety net under the service's checks (relief.services.validate_measure), which
        # give the readable, field-level messages.
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_month__isnull=True)
                | models.Q(end_month__gte=models.F("start_month")),
                name="measure_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="measure_amount_positive",
            ),
        ]

    def __str__(self):
        return f"{self.programme} · {self.child}"

    @property
    def audit_area_code(self) -> str:
        return self.child.area.code

    @property
    def is_current(self) -> bool:
        return self.status != self.Status.ENDED

    @property
    def status_badge(self) -> str:
        """The class of the status's badge: in effect "ok", ended plain, on its way "warn"."""
        return {self.Status.ACTIVE: "ok", self.Status.ENDED: ""}.get(self.status, "warn")

    @property
    def months(self) -> str:
        """The months it runs, as lists show them: "2026-01", "2026-01 – 2026-06", or
        "from 2026-01" while it has no last month. (Attributes, not an included template:
        a list shows one per row.)"""
        first = f"{self.start_month:%Y-%m}"
        if self.end_month is None:
            return gettext("from %(month)s") % {"month": first}
        last = f"{self.end_month:%Y-%m}"
        return first if last == first else f"{first} – {last}"


class MeasureChange(Change):
    """A change to a relief measure: the fields it changed (its history)."""

    measure = models.ForeignKey(ReliefMeasure, on_delete=models.CASCADE, related_name="changes")

    record_model = ReliefMeasure
    shown_fields = (
        "programme_name",
        "amount",
        "payment",
        "start_month",
        "end_month",
        "provider_kind",
        "provider_name",
        "status",
        "note",
    )

    @classmethod
    def field(cls, key):
        return super().field("programme" if key == "programme_name" else key)

    @classmethod
    def shown(cls, key, value) -> str:
        if key == "programme_name":  # the programme's name, not its choice
            return str(value) if value not in (None, "") else "—"
        if key in ("start_month", "end_month") and value:
            return str(value)[:7]
        return super().shown(key, value)


class ContactQuerySet(ScopedQuerySet):
    """Contacts are scoped by the child's current village."""

    scope_field = "child__area__code"

    def current(self):
        """Contacts still answerable (no end date)."""
        return self.filter(until__isnull=True)


class AssistanceContact(Stamped):
    """A person answerable for helping one child (帮扶联系人)."""

    class Role(models.TextChoices):
        VILLAGE_CADRE = "village_cadre", _("village cadre")
        TOWNSHIP_OFFICER = "township_officer", _("township officer")
        TEACHER = "teacher", _("teacher")
        SOCIAL_WORKER = "social_worker", _("social worker")
        VOLUNTEER = "volunteer", _("volunteer")
        OTHER = "other", _("other")

    child = child_ref("assistance_contacts")
    name = models.CharField(_("name"), max_length=50)
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OTHER)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["until", "-since", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("since")),
                name="contact_ends_after_start",
            )
        ]
        verbose_name = _("assistance contact")
        verbose_name_plural = _("assistance contacts")

    def __str__(self):
        return self.name

    @property
    def audit_area_code(self) -> str:
        return self.child.area.code

    @property
    def is_current(self) -> bool:
        return self.until is None
