"""API tokens: issue, check, revoke. Every change is audited.

A key is 256 random bits shown to its owner once; the database keeps only its HMAC-SHA256
under a key derived from SECRET_KEY (a stolen copy of the database opens nothing, and
changing SECRET_KEY ends every token) and its first characters, to recognise it by.
A token expires API_TOKEN_DAYS after it is issued and is revoked, all of the account's at
once, when the account logs out, changes or has reset its password, is deactivated or
changes role or area (people/signals.py, people/services.py).
"""

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.audit import log_action

from .models import ApiToken, User

KEY_SALT = "shouhu.people.ApiToken"
PREFIX_LENGTH = 8
# last_used_at is written at most this often, so that each call does not write.
LAST_USED_EVERY = dt.timedelta(minutes=1)
Reason = ApiToken.Reason


def digest(key: str) -> str:
    """The keyed hash a key is stored and looked up as."""
    return salted_hmac(KEY_SALT, key, algorithm="sha256").hexdigest()


def lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.API_TOKEN_DAYS)


@transaction.atomic
def issue(user: User, name: str = "", *, actor=None) -> tuple[ApiToken, str]:
    """Make a new token for `user` (each device its own); returns the token and its key,
    which is not kept and cannot be shown again."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=(name or "API").strip()[:60] or "API",
        prefix=key[:PREFIX_LENGTH],
        digest=digest(key),
        created_at=now,
        expires_at=now + lifetime(),
    )
    log_action(
        actor or user,
        "auth.token_issued",
        token,
        {"name": token.name, "until": token.expires_at.isoformat(timespec="minutes")},
    )
    return token, key


def find(key: str) -> ApiToken | None:
    """The token a key belongs to (revoked and expired ones too), with its account."""
    if not key:
        return None
    return ApiToken.objects.select_related("user").filter(digest=digest(key)).first()


def touch(token: ApiToken, now=None) -> None:
    """Note that the token was used (at most once a minute, without changing anything else)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def _revoke(tokens, actor, reason: str) -> int:
    now = timezone.now()
    count = 0
    for token in tokens:
        token.revoked_at, token.revoked_by, token.reason = now, actor, reason
        token.save(update_fields=["revoked_at", "revoked_by", "reason"])
        log_action(actor, "people.apitoken.revoked", token, {"reason": reason})
        count += 1
    return count


@transaction.atomic
def revoke(token: ApiToken, actor, reason: str) -> bool:
    """Revoke one token (audited); False when it was already revoked."""
    locked = (
        ApiToken.objects.select_for_update(of=("self",))
        .select_related("user__area")
        .get(pk=token.pk)
    )
    if locked.revoked_at is not None:
        return False
    _revoke([locked], actor, reason)
    token.refresh_from_db()
    return True


def revoke_by(actor, token: ApiToken) -> bool:
    """Revoke a token from the pages or the API: by its owner, or by a county officer."""
    reason = Reason.OWNER if token.user_id == actor.pk else Reason.OFFICER
    return revoke(token, actor, reason)


@transaction.atomic
def revoke_all(user: User, actor, reason: str) -> int:
    """Revoke every unexpired token of an account, one audit entry each; how many."""
    if user is None or user.pk is None:
        return 0
    tokens = ApiToken.objects.select_for_update(of=("self",)).filter(user=user).active()
    return _revoke(list(tokens.select_related("user__area")), actor, reason)


def account_change_reasons(before: dict, after: dict) -> list[str]:
    """Why an account change ends its tokens: deactivated, role or area changed.

    `before` and `after` hold is_active, role and area_id.
    """
    reasons = []
    if before.get("is_active") and not after.get("is_active"):
        reasons.append(Reason.DEACTIVATED)
    if before.get("role") != after.get("role"):
        reasons.append(Reason.ROLE_CHANGED)
    if before.get("area_id") != after.get("area_id"):
        reasons.append(Reason.AREA_CHANGED)
    return reasons


def visible_tokens(user):
    """The tokens `user` may list and revoke: their own, and for county officers those of
    every account in their jurisdiction."""
    own = ApiToken.objects.filter(user=user)
    if getattr(user, "can_manage_tokens", False):
        return ApiToken.objects.visible_to(user) | own
    return own
