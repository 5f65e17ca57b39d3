"""Accounts, roles and the responsibility matrix."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.codes import Level
from areas.models import Area
from core.models import user_ref
from core.scoping import ScopedQuerySet

from .roles import (
    AREA_ROLES,
    ASSIGNABLE_ROLES,
    AUDIT_ROLES,
    FULL_ID_ROLES,
    MANAGING_ROLES,
    ROLE_LEVELS,
    TOKEN_ADMIN_ROLES,
    TWO_FACTOR_ROLES,
    WRITING_ROLES,
    Role,
    is_helper,
)


class UserQuerySet(ScopedQuerySet):
    """Accounts, scoped by the area they are bound to."""

    def directors(self):
        return self.filter(role=Role.DIRECTOR, is_active=True)


def active_role_in(roles) -> property:
    """What an account may do: it is active and its role is one of `roles` (people.roles)."""
    return property(lambda user: user.is_active and user.role in roles)


class HelperOwnQuerySet(ScopedQuerySet):
    """Rows scoped by area, except for a helper (a volunteer or social worker), who sees only
    their own: the rows whose `helper_field` is their account."""

    helper_field = "helper"

    def visible_to(self, user):
        if is_helper(user):
            return self.filter(**{self.helper_field: user})
        return super().visible_to(user)


class ShouhuUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in, bound to one area: their jurisdiction."""

    name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # Version for optimistic concurrency; logins do not change it (update_fields).
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ShouhuUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["area__code", "role", "username"]

    def __str__(self):
        return self.name or self.username

    def clean(self):
        super().clean()
        if self.role and self.area_id is None:
            raise ValidationError({"area": _("Every account with a role is bound to an area.")})
        if self.role and self.area.level not in ROLE_LEVELS[self.role]:
            raise ValidationError(
                {
                    "area": _("A %(role)s cannot be bound to a %(level)s.")
                    % {"role": self.get_role_display(), "level": self.area.get_level_display()}
                }
            )

    @property
    def jurisdiction_prefix(self) -> str | None:
        """The area-code prefix this user sees (see core.scoping)."""
        if self.role not in AREA_ROLES or self.area is None:
            return None
        return self.area.prefix

    can_write = active_role_in(WRITING_ROLES)
    # May see children's full identity numbers (others see them masked).
    sees_full_id = active_role_in(FULL_ID_ROLES)
    can_audit = active_role_in(AUDIT_ROLES)
    # May edit service points and the responsibility matrix of the areas below.
    can_manage = active_role_in(MANAGING_ROLES)
    # May list and revoke the API tokens of the accounts in their jurisdiction.
    can_manage_tokens = active_role_in(TOKEN_ADMIN_ROLES)

    @property
    def requires_two_factor(self) -> bool:
        """Must pass a one-time code after the password (people.roles.TWO_FACTOR_ROLES)."""
        return self.is_superuser or self.role in TWO_FACTOR_ROLES

    @property
    def audit_area_code(self) -> str:
        return self.area.code if self.area_id else ""

    @property
    def assignable_roles(self) -> set:
        """Roles this user may give to accounts inside their jurisdiction."""
        return ASSIGNABLE_ROLES.get(self.role, set()) if self.is_active else set()

    def may_manage_account(self, other) -> bool:
        """Whether this user may edit `other` (who must already be visible to them)."""
        return other.pk != self.pk and other.role in self.assignable_roles


class ResponsibilityPost(models.Model):
    """A named person answerable for child protection in a township or village."""

    class Post(models.TextChoices):
        PARTY_SECRETARY = "party_secretary", _("party committee secretary")
        TOWNSHIP_HEAD = "township_head", _("township head")
        CIVIL_AFFAIRS_LEAD = "civil_affairs_lead", _("person in charge of civil affairs")
        CIVIL_OFFICE_DIRECTOR = "civil_office_director", _("civil administration office director")
        TEAM_LEAD = "team_lead", _("village official leading the child protection team")
        CADRE = "cadre", _("village cadre in the child protection team")

    # The posts that must be filled at each level; an unfilled one is a vacancy.
    REQUIRED = {
        Level.TOWNSHIP: [
            Post.PARTY_SECRETARY,
            Post.TOWNSHIP_HEAD,
            Post.CIVIL_AFFAIRS_LEAD,
            Post.CIVIL_OFFICE_DIRECTOR,
        ],
        Level.VILLAGE: [Post.TEAM_LEAD, Post.CADRE],
    }
    LEVEL_OF_POST = {post: level for level, posts in REQUIRED.items() for post in posts}

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="posts"
    )
    post = models.CharField(_("post"), max_length=24, choices=Post.choices)
    holder_name = models.CharField(_("holder"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsibility post")
        verbose_name_plural = _("responsibility matrix")
        ordering = ["area__code", "post", "id"]

    def __str__(self):
        return f"{self.area} {self.get_post_display()} {self.holder_name or '—'}"

    @property
    def is_vacant(self) -> bool:
        return not self.holder_name.strip()

    def clean(self):
        level = self.LEVEL_OF_POST.get(self.post)
        if level and self.area_id and self.area.level != level:
            raise ValidationError(
                {"post": _("This post belongs to a %(level)s.") % {"level": Level(level).label}}
            )


class ApiTokenQuerySet(ScopedQuerySet):
    """API tokens, scoped by the area of the account they belong to."""

    scope_field = "user__area__code"

    def active(self, at=None):
        """Tokens that still open the API: neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=at or timezone.now())

    def issue(self, user, name=""):
        """A new token for `user` and its key (see people.tokens.issue)."""
        from .tokens import issue  # people.tokens imports this module: a cycle at the top

        return issue(user, name)


class ApiToken(models.Model):
    """A key for the API, one per device or script; only a keyed hash of the key is kept
    (the key is shown once, when it is made). See people/tokens.py."""

    class Reason(models.TextChoices):
        OWNER = "owner", _("revoked by its owner")
        OFFICER = "officer", _("revoked by a county officer")
        LOGOUT = "logout", _("the owner logged out")
        PASSWORD_CHANGED = "password_changed", _("the owner changed their password")
        PASSWORD_RESET = "password_reset", _("the password was reset")
        DEACTIVATED = "deactivated", _("the account was deactivated")
        ROLE_CHANGED = "role_changed", _("the role changed")
        AREA_CHANGED = "area_changed", _("the area changed")

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60)
    # The key's first characters: not secret, enough to recognise a key one holds.
    prefix = models.CharField(_("prefix"), max_length=8)
    # HMAC-SHA256 of the key under a server secret (people.tokens.digest).
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = user_ref(_("revoked by"), blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def audit_area_code(self) -> str:
        return self.user.audit_area_code

    def state_at(self, at=None) -> str:
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= (at or timezone.now()):
            return self.State.EXPIRED
        return self.State.ACTIVE

    @property
    def state(self) -> str:
        return self.state_at()

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)
