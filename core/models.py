"""The append-only audit log."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedQuerySet


class AuditQuerySet(ScopedQuerySet):
    """Audit entries, scoped by the area they concern; never updated or deleted."""

    scope_field = "area_code"

    def visible_to(self, user):
        """Entries of the user's jurisdiction, and the system's own entries (no area): failed
        logins for unknown usernames, loading reference data."""
        visible = super().visible_to(user)
        if not visible.query.is_empty():
            visible = visible | self.filter(area_code="")
        return visible

    def update(self, **kwargs):
        raise PermissionDenied("The audit log is append-only.")

    def delete(self):
        raise PermissionDenied("The audit log is append-only.")


class AuditEntry(models.Model):
    """One thing that happened: who did what to which record, when and from where."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        # Never rewrite an entry: accounts are not deleted, and if one were, the entry
        # keeps the id and the username it had.
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    # Kept as text too, so the entry still says who it was if the account is renamed.
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # The area the entry concerns, so officers see only their jurisdiction's entries.
    area_code = models.CharField(_("area code"), max_length=12, blank=True, db_index=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only.")
