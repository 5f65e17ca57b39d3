"""The administrative tree and the service points in it."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet

from . import codes
from .codes import Level


class AreaQuerySet(ScopedQuerySet):
    """Areas, scoped by their own code."""

    scope_field = "code"

    def villages(self):
        return self.filter(level=Level.VILLAGE)

    def townships(self):
        return self.filter(level=Level.TOWNSHIP)


class Area(models.Model):
    """A unit of the tree province → city → county → township → village, by statistical code."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def prefix(self) -> str:
        """The significant digits of the code: everything below this area starts with it."""
        return codes.prefix_of(self.code, self.level)

    @property
    def audit_area_code(self) -> str:
        return self.code

    @property
    def kind(self) -> str:
        """Street / town / township for townships, community / village for villages."""
        if self.level == Level.TOWNSHIP:
            return codes.township_kind(self.code)
        if self.level == Level.VILLAGE:
            return codes.village_kind(self.code)
        return ""

    def clean(self):
        codes.validate_area_code(self.code, self.level, self.parent.code if self.parent else None)

    def ancestor_codes(self) -> list[str]:
        """12-digit codes of the areas above this one, from the root down."""
        result = []
        for level in codes.LEVELS[1 : codes.LEVELS.index(self.level)]:  # the nation is no parent
            result.append(codes.pad(codes.prefix_of(self.code, level)))
        return result


class ServicePointQuerySet(ScopedQuerySet):
    """Service points, scoped by the area they serve."""

    def homes(self):
        return self.filter(kind=ServicePoint.Kind.CHILDRENS_HOME)


class ServicePoint(models.Model):
    """A place where child protection work is done: a center, a workstation or a children's home."""

    class Kind(models.TextChoices):
        GUIDANCE_CENTER = "center", _("county child welfare guidance center")
        WORKSTATION = "workstation", _("township child welfare workstation")
        CHILDRENS_HOME = "home", _("children's home")

    # Each kind serves one level of the tree.
    LEVEL_OF_KIND = {
        Kind.GUIDANCE_CENTER: Level.COUNTY,
        Kind.WORKSTATION: Level.TOWNSHIP,
        Kind.CHILDRENS_HOME: Level.VILLAGE,
    }

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="service_points"
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    floor_area_m2 = models.DecimalField(
        _("floor area (m²)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ServicePointQuerySet.as_manager()

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["area__code", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["area", "kind"], name="one_service_point_per_kind")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        expected = self.LEVEL_OF_KIND.get(self.kind)
        if expected and self.area_id and self.area.level != expected:
            raise ValidationError(
                {
                    "area": _("A %(kind)s belongs to a %(level)s.")
                    % {"kind": self.get_kind_display(), "level": Level(expected).label}
                }
            )
