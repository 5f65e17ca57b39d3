"""The append-only audit log, and the field declarations the apps' models share."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import auditchain
from .scoping import ScopedQuerySet


def user_ref(verbose_name=None, *, blank=False, related_name="+", **kwargs) -> models.ForeignKey:
    """A record's reference to an account (who created, closed or owns it): the record stays
    if the account goes (the reference is cleared); no reverse accessor unless one is named."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name=related_name,
        **kwargs,
    )


class Stamped(models.Model):
    """A record's creation time and last update time. The last update time is also its version
    (core.concurrency): a form or API call based on an older one is refused."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


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

    def bulk_create(self, objs, *args, **kwargs):
        """Entries created together are chained in their order, like saved ones."""
        objs = list(objs)
        if not objs:
            return objs
        with transaction.atomic(using=self.db, savepoint=False):
            prev = auditchain.lock_head(self.db).hash
            for obj in objs:
                obj.prev_hash = prev
                obj.hash = prev = auditchain.entry_hash(
                    prev, [getattr(obj, name) for name in auditchain.FIELDS]
                )
            created = super().bulk_create(objs, *args, **kwargs)
            last = objs[-1].pk or self.order_by("-id").values_list("id", flat=True).first()
            auditchain.move_head(last, prev, self.db)
        return created


class AuditEntry(models.Model):
    """One thing that happened: who did what to which record, when and from where."""

    # Set when the entry is made (not at insert, as auto_now_add would): the hash covers it.
    at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
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
    # The hash chain (core/auditchain.py): the previous entry's hash, and this entry's.
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # A reader's entries of the last hour: the bulk-read budget (core.throttling).
            models.Index(fields=["actor", "at"], name="core_audit_actor_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_repr}"

    def save(self, *args, stamp=False, **kwargs):
        """Append the entry; with `stamp`, its time is taken under the chain's lock."""
        if self.pk is not None:
            raise PermissionDenied("The audit log is append-only.")
        # Chained onto the previous entry, under the chain's lock, in one transaction.
        using = kwargs.get("using") or router.db_for_write(AuditEntry, instance=self)
        insert = lambda: super(AuditEntry, self).save(*args, **kwargs)  # noqa: E731
        auditchain.append(self, insert, using=using, stamp=stamp)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only.")


class AuditChainHead(models.Model):
    """The audit chain's last entry (id and hash), one row; writers lock it to take turns."""

    last_id = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=auditchain.GENESIS)
    # Where the kept chain begins: the first entry left after the retention dropped older
    # months (core.retention), and the hash that entry was chained onto.
    start_id = models.BigIntegerField(default=0, db_default=0)
    start_hash = models.CharField(
        max_length=64, default=auditchain.GENESIS, db_default=auditchain.GENESIS
    )

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"{self.last_id} {self.hash}"
