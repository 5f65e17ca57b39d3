"""Applications for a benefit (申请 → 查验 → 确认 → in effect; a stop, 终止), their documents and
their history of steps. The rules are applications.policy's; the changes
applications.services'."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from children.models import child_ref
from core.models import Stamped, user_ref
from core.scoping import ScopedQuerySet
from relief.models import Programme, ReliefMeasure

from .policy import OPEN_STATES, State, Step, StopReason


class ApplicationQuerySet(ScopedQuerySet):
    """Scoped by the village the child lived in when the application was opened: the
    township and county that handle it keep seeing it if the child moves."""

    scope_field = "area__code"

    def open(self):
        """Applications waiting on a township's check or a county's decision."""
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today):
        """Open applications whose current step is past its deadline."""
        return self.open().filter(due_on__lt=today)


class Application(Stamped):
    """One application for a benefit for one child, from its opening to its measure's end."""

    child = child_ref("applications")
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    # The child's village when it was opened: who handles it (scoping), by township.
    area = models.ForeignKey(
        Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("step"), max_length=12, choices=State.choices, default=State.APPLIED, db_index=True
    )
    reason = models.TextField(_("why the child needs it"))
    opened_by = user_ref(_("opened by"))
    opened_on = models.DateField(_("applied on"))
    # The step it waits on: when that began, its deadline (working days, policy.TIME_LIMITS)
    # and whether its lateness was escalated (once per step).
    step_since = models.DateField(_("waiting since"))
    due_on = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    escalated = models.BooleanField(_("escalated"), default=False)
    # The township's check.
    check_passed = models.BooleanField(_("facts confirmed"), null=True, blank=True)
    findings = models.TextField(_("what the check found"), blank=True)
    cross_checked = models.TextField(_("facts cross-checked"), blank=True)
    # The county's decision.
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    start_month = models.DateField(_("from month"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    measure = models.OneToOneField(
        ReliefMeasure,
        verbose_name=_("relief measure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="application",
    )
    # The stop.
    stop_reason = models.CharField(
        _("why it stops"), max_length=16, choices=StopReason.choices, blank=True
    )
    stop_note = models.TextField(_("details"), blank=True)
    stops_from = models.DateField(_("payment ends from"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "-pk"]
        indexes = [models.Index(fields=["state", "due_on"])]
        verbose_name = _("application for a benefit")
        verbose_name_plural = _("applications for benefits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="application_amount_positive",
            )
        ]

    def __str__(self):
        return f"{self.reference} {self.programme} · {self.child}"

    @property
    def reference(self) -> str:
        return f"{self.opened_on:%Y%m%d}-{self.pk}"

    @property
    def audit_area_code(self) -> str:
        return self.area.code

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_on is not None and self.due_on < today


def _document_name(document, filename) -> str:
    # A name that says nothing of the child or the document: the month and a random id.
    extension = "pdf" if document.content_type == "application/pdf" else "jpg"
    return f"applications/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class DocumentQuerySet(ScopedQuerySet):
    """A document is seen by those who see its application."""

    scope_field = "application__area__code"


class ApplicationDocument(models.Model):
    """A document attached to an application (a household register page, a certificate, a
    court judgment): a photo (kept as JPEG without metadata, core.images) or a PDF scan,
    through Django's storage like care's photos; never served by address, only through the
    application's scoped and audited document page."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("what it is"), max_length=100)
    file = models.FileField(_("file"), upload_to=_document_name)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("attached at"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title

    @property
    def audit_area_code(self) -> str:
        return self.application.area.code

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


class ApplicationStep(models.Model):
    """One step of an application's history: who took it, when, with what findings, and how
    many working days it took from the start of the wait it ended."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    actor = user_ref(_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    on = models.DateField(_("on"))
    state = models.CharField(_("state after"), max_length=12, choices=State.choices)
    note = models.TextField(_("note"), blank=True)
    # The working days the step took (from the start of the wait it ended); None for steps
    # that end no wait (a document attached, an escalation).
    working_days = models.PositiveSmallIntegerField(_("working days taken"), null=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["step", "working_days"])]
        verbose_name = _("step of an application")

    def __str__(self):
        return f"{self.application_id} {self.step} {self.on}"
