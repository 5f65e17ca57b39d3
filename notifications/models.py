"""In-app notifications and each user's choice of e-mails about them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from children.models import Child


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user) if user.is_authenticated else self.none()


class Notification(models.Model):
    """An in-app message: a visit due or overdue, an escalation, a report of concern, a
    change in a child's situation."""

    class Kind(models.TextChoices):
        DUE = "due", _("visit due")
        OVERDUE = "overdue", _("visit overdue")
        ESCALATED = "escalated", _("special-attention child overdue")
        REPORT = "report", _("report of concern")
        REPORT_OVERDUE = "report_overdue", _("report of concern overdue")
        CHANGE = "change", _("change in a child's situation")
        CONCERN_OVERDUE = "concern_overdue", _("concern past its due date")
        APPLICATION_OVERDUE = "application_late", _("application for a benefit overdue")
        REFERRAL_OVERDUE = "referral_overdue", _("referral not answered by its due date")
        SUMMARY_RETURNED = "summary_returned", _("township summary sent back")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()  # the day the notification is about (one per child, kind, day)
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=200, blank=True)  # where to act on it (a path)
    read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        db_table = "care_notification"  # the rows were written when care kept them
        ordering = ["read", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "child", "day"], name="one_notification_per_day"
            )
        ]

    def __str__(self):
        return self.text


class NotificationPreference(models.Model):
    """How a user wants to be told, besides the in-app list (which always has everything)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_at_once = models.BooleanField(
        _("e-mail me at once about reports of concern and changes in a child's situation"),
        default=True,
    )
    daily_digest = models.BooleanField(_("e-mail me a daily digest"), default=True)
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "care_notificationpreference"
        verbose_name = _("notification preference")

    def __str__(self):
        return str(self.user)
