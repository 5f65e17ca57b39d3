"""A login starts the session's clock. An account's API tokens end with its sign-in: on
logout, and when its password, role, area or active state changes by any path (the
services revoke first, with their actor; this catches the rest: the admin,
`manage.py changepassword`, a shell)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from core.middleware import SessionTimeoutMiddleware

from . import tokens
from .models import User

WATCHED = {"password", "role", "area", "area_id", "is_active"}


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    """A session's absolute lifetime counts from the login (core.middleware)."""
    if request is not None and hasattr(request, "session"):
        SessionTimeoutMiddleware.start(request.session)


@receiver(user_logged_out)
def revoke_tokens_on_logout(sender, request, user, **kwargs):
    """Logging out ends every API token of the account, not only the browser's session:
    on a shared office computer "log out" must leave nothing signed in as the person,
    and a token is issued again in one request."""
    if user is not None and user.pk is not None:
        tokens.revoke_all(user, user, tokens.Reason.LOGOUT)


@receiver(pre_save, sender=User)
def note_credential_change(sender, instance, update_fields=None, raw=False, **kwargs):
    """Before an account is saved, note whether its password, role, area or active state
    changes (one query; logins, which save last_login only, cost nothing)."""
    instance._token_reasons = []
    if raw or instance.pk is None:
        return
    if update_fields is not None and not (set(update_fields) & WATCHED):
        return
    before = (
        User.objects.filter(pk=instance.pk).values("password", "role", "area_id", "is_active")
    ).first()
    if before is None:
        return
    after = {
        "role": instance.role,
        "area_id": instance.area_id,
        "is_active": instance.is_active,
    }
    reasons = tokens.account_change_reasons(before, after)
    # A new password is one given with set_password() (Django keeps it in `_password` until
    # the save): not the same password hashed again when a login upgrades its hasher.
    if before["password"] != instance.password and instance._password is not None:
        reasons.append(tokens.Reason.PASSWORD_RESET)
    instance._token_reasons = reasons


@receiver(post_save, sender=User)
def revoke_tokens_on_credential_change(sender, instance, raw=False, **kwargs):
    reasons = getattr(instance, "_token_reasons", [])
    if reasons and not raw:
        tokens.revoke_all(instance, None, reasons[0])
    instance._token_reasons = []
