"""Records sent from a phone's outbox: each stored once, whatever the retries."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """One record a phone made (offline, perhaps) and sent, applied once: its id made on the
    phone is unique, so a retry after a lost answer finds it and gets the first answer again.
    Only applied records are kept; a refused one is not, so the phone may fix it and send it
    again with the same id."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("visit")
        ACTIVITY = "activity", _("activity")
        CHECK = "check", _("round check")

    client_id = models.UUIDField(_("id made on the phone"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    made_at = models.DateTimeField(_("made on the phone at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    # sha256 of the canonical JSON of what was sent (outbox.policy.digest): a repeat must match.
    digest = models.CharField(max_length=64)
    object_id = models.PositiveBigIntegerField(_("record"))
    # The body answered the first time, answered again to every repeat.
    answer = models.JSONField()

    class Meta:
        verbose_name = _("record sent from a phone")
        verbose_name_plural = _("records sent from phones")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.kind} {self.client_id}"
