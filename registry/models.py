"""The register's housekeeping: pairs of records an officer found are not the same child."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from children.models import Child
from core.models import user_ref
from core.scoping import ScopedQuerySet


class DistinctPairQuerySet(ScopedQuerySet):
    """Pairs scoped by the first child's village (both children are in one county)."""

    scope_field = "first__area__code"


class DistinctPair(models.Model):
    """Two records that look alike but are two children: the pair stops showing as a likely
    duplicate. `first` has the lower id, so a pair is stored once."""

    first = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("decided at"), auto_now_add=True)
    by = user_ref(_("decided by"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = DistinctPairQuerySet.as_manager()

    class Meta:
        verbose_name = _("pair of different children")
        verbose_name_plural = _("pairs of different children")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="one_distinct_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="distinct_pair_ordered"
            ),
        ]

    def __str__(self):
        return f"#{self.first_id} ≠ #{self.second_id}"
