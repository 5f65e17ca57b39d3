"""Social forces (社会力量): social organisations, volunteers' and social workers' profiles,
pairings of a helper with a child (结对帮扶) and the services helpers record."""

import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from children.models import child_ref
from core.models import Stamped, user_ref
from core.scoping import CountyQuerySet, ScopedQuerySet, can_manage, can_write
from people.models import HelperOwnQuerySet
from people.roles import Role, is_helper


class Skill(models.TextChoices):
    COUNSELLING = "counselling", _("psychological counselling")
    TUTORING = "tutoring", _("tutoring")
    AID = "aid", _("financial or material aid")
    COMPANIONSHIP = "companionship", _("companionship")
    HEALTH = "health", _("health care")
    LEGAL = "legal", _("legal aid")
    OTHER = "other", _("other")


# The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from this
# alphabet, the last a check character.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
CREDIT_PATTERN = re.compile(f"^[{CREDIT_ALPHABET}]{{18}}$")


def credit_code_error(code: str) -> str | None:
    """Why a unified social credit code is not valid, or None."""
    if not CREDIT_PATTERN.match(code):
        return str(_("A unified social credit code has 18 digits or capital letters."))
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(code, CREDIT_WEIGHTS, strict=False))
    check = CREDIT_ALPHABET[(31 - total % 31) % 31]
    if code[-1] != check:
        return str(_("The check character does not match: is a character mistyped?"))
    return None


class OrganisationQuerySet(CountyQuerySet):
    """A county's register of organisations: seen by everyone working in the county."""

    def editable_by(self, user):
        """Township and county officers keep the register (directors read it)."""
        if not can_manage(user):
            return self.none()
        return self.visible_to(user)


class Organisation(models.Model):
    """A social organisation working with the county's children."""

    county = models.ForeignKey(
        Area, verbose_name=_("county"), on_delete=models.PROTECT, related_name="organisations"
    )
    name = models.CharField(_("name"), max_length=100)
    registration_number = models.CharField(
        _("unified social credit code"), max_length=18, blank=True
    )
    services = models.JSONField(_("services offered"), default=list, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    areas = models.ManyToManyField(
        Area, verbose_name=_("areas served"), blank=True, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="organisation_name_per_county")
        ]
        verbose_name = _("social organisation")
        verbose_name_plural = _("social organisations")

    def __str__(self):
        return self.name

    def service_labels(self) -> list[str]:
        return [str(Skill(s).label) for s in self.services if s in Skill.values]


class HelperProfileQuerySet(HelperOwnQuerySet):
    """Officers see the helpers of their jurisdiction; a helper sees their own."""

    scope_field = "user__area__code"
    helper_field = "user"


class HelperProfile(models.Model):
    """What a volunteer or social worker offers, and where."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helper_profile"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="helpers",
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    qualification = models.CharField(
        _("qualification"),
        max_length=100,
        blank=True,
        help_text=_("For a social worker: the certificate (社会工作者职业资格) and its number."),
    )
    areas = models.ManyToManyField(
        Area, verbose_name=_("areas served"), blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HelperProfileQuerySet.as_manager()

    class Meta:
        ordering = ["user__area__code", "user__username"]
        verbose_name = _("helper profile")
        verbose_name_plural = _("helper profiles")

    def __str__(self):
        return str(self.user)

    def skill_labels(self) -> list[str]:
        return [str(Skill(s).label) for s in self.skills if s in Skill.values]


def helper_ref(related_name: str) -> models.ForeignKey:
    """The helper (a volunteer or social worker) who gives the help: an account with
    pairings or services is deactivated, never deleted (PROTECT)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("helper"),
        on_delete=models.PROTECT,
        related_name=related_name,
    )


def current_on(day: dt.date) -> Q:
    """Pairings in force on a day."""
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class PairingQuerySet(HelperOwnQuerySet):
    """Pairings, scoped by the child's village; a helper sees their own."""

    scope_field = "child__area__code"

    def current(self, day: dt.date | None = None):
        return self.filter(current_on(day or timezone.localdate()))


class Pairing(Stamped):
    """A helper paired with a child (结对帮扶), for a purpose, from one day to another."""

    child = child_ref("pairings")
    helper = helper_ref("pairings")
    purpose = models.CharField(_("purpose"), max_length=16, choices=Skill.choices)
    detail = models.CharField(_("what the help is for"), max_length=300, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    created_by = user_ref()

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="pairing_ends_after_start",
            ),
        ]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")

    def __str__(self):
        return f"{self.helper} · {self.child_id}"

    def is_current(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


class ServiceRecordQuerySet(ScopedQuerySet):
    """Services, scoped by the child's village."""

    scope_field = "child__area__code"

    def visible_to(self, user):
        """A helper sees the help history of the children paired with them now."""
        if is_helper(user):
            paired = Pairing.objects.filter(helper=user).current().values("child_id")
            return self.filter(child_id__in=paired)
        return super().visible_to(user)

    def editable_by(self, user):
        if is_helper(user):
            return self.filter(helper=user)
        if not can_write(user):
            return self.none()
        return super().visible_to(user)


class ServiceRecord(Stamped):
    """A service a helper gave a child: counselling, aid, tutoring or a visit."""

    class Kind(models.TextChoices):
        COUNSELLING = "counselling", _("counselling session")
        FINANCIAL = "financial", _("financial aid")
        MATERIAL = "material", _("material aid")
        TUTORING = "tutoring", _("tutoring")
        VISIT = "visit", _("visit")

    AID_KINDS = {Kind.FINANCIAL, Kind.MATERIAL}
    TIMED_KINDS = {Kind.COUNSELLING, Kind.TUTORING, Kind.VISIT}

    child = child_ref("services")
    helper = helper_ref("services_given")
    pairing = models.ForeignKey(
        Pairing, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    kind = models.CharField(_("service"), max_length=12, choices=Kind.choices)
    on = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    # Counselling notes are confidential: only social workers and the township supervisor
    # (and the county officer) read them (see `notes_visible_to`).
    notes = models.TextField(_("notes"), blank=True)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    items = models.CharField(_("items given"), max_length=300, blank=True)
    relief_measure = models.ForeignKey(
        "relief.ReliefMeasure", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="service_amount_positive"
            )
        ]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")

    def __str__(self):
        return f"{self.get_kind_display()} {self.on}"


# Who reads counselling notes: social workers (their own records), township supervisors and
# county officers. Directors, staff, volunteers and leaders see that a session took place.
NOTES_ROLES = {Role.SOCIAL_WORKER, Role.TOWNSHIP_SUPERVISOR, Role.COUNTY_OFFICER}


def notes_visible_to(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in NOTES_ROLES)
