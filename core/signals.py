"""Audit of logins, failed logins and logouts."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import log_action


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    log_action(user, "auth.login", user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        log_action(user, "auth.logout", user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Only the username tried is kept, never the password.
    log_action(
        None, "auth.login_failed", data={"username": str(credentials.get("username", ""))[:150]}
    )
