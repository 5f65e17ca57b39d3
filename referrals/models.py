"""Referrals (转介): a child's case handed to a receiver (the township, the police, a school,
health services, a social worker or organisation, the court for guardianship) with a due
date, followed until the receiver's answer is recorded."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from children.models import Concern, child_ref
from core.models import user_ref
from core.scoping import ScopedQuerySet
from social.models import Organisation

from .policy import Kind, State


class ReferralQuerySet(ScopedQuerySet):
    """Referrals, scoped by the village they were made in."""

    scope_field = "area__code"

    def open(self):
        return self.filter(state=State.OPEN)

    def overdue(self, today: dt.date):
        return self.open().filter(due_on__lt=today)


class Referral(models.Model):
    """One referral of a child (or of a report of concern not yet linked to a child)."""

    # The village it belongs to: the child's, or the report's place while no child is linked.
    area = models.ForeignKey(
        Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    child = child_ref("referrals", null=True, blank=True)
    # By name: concerns sits above referrals (it makes them as a report is moved on).
    report = models.ForeignKey(
        "concerns.ConcernReport",
        verbose_name=_("report of concern"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    concern = models.ForeignKey(
        Concern,
        verbose_name=_("concern"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    kind = models.CharField(_("referred to"), max_length=16, choices=Kind.choices)
    receiver_name = models.CharField(_("receiving unit or person"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("social organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    receiver_user = user_ref(_("receiving social worker"), blank=True)
    reason = models.TextField(_("reason"))
    made_by = user_ref(_("referred by"), blank=True)
    made_on = models.DateField(_("referred on"))
    due_on = models.DateField(_("answer due by"), db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = user_ref(_("answer recorded by"), blank=True)
    withdrawn_reason = models.CharField(_("why it was withdrawn"), max_length=300, blank=True)
    escalated_township_on = models.DateField(_("sent to the township"), null=True, blank=True)
    escalated_county_on = models.DateField(_("sent to the county"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-made_on", "-pk"]
        indexes = [models.Index(fields=["state", "due_on"])]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()}"  # no child's name in the audit log

    @property
    def audit_area_code(self) -> str:
        return self.area.code

    @property
    def receiver(self) -> str:
        """Who received it, as the pages name them."""
        if self.organisation_id:
            return self.organisation.name
        if self.receiver_user_id:
            return str(self.receiver_user)
        return self.receiver_name

    @property
    def is_open(self) -> bool:
        return self.state == State.OPEN

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_on < today
