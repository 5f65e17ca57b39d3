"""A marker that the database holds generated demo data (and nothing else)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoDataset(models.Model):
    """Written once by seed_demo; its presence makes a second run a no-op."""

    scale = models.CharField(_("scale"), max_length=10)
    seed = models.IntegerField(_("random seed"))
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("demo dataset")
        verbose_name_plural = _("demo datasets")

    def __str__(self):
        return f"{self.scale} (seed {self.seed})"
