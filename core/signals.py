"""Audit of logins, failed logins and logouts.

The lockout counters are django-axes' (core.login_limits): axes listens to the same signals.
"""

from django.contrib.auth import get_user_model
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
    # Only the username tried is kept, never the password. The entry belongs to the area of
    # the account tried, so that area's officers see attacks on their people.
    username = str(credentials.get("username", ""))[:150]
    account = get_user_model().objects.filter(username=username).first()
    area_code = getattr(account, "audit_area_code", "") if account else ""
    data = {"username": username}
    if getattr(request, "axes_locked_out", False):  # refused by the lockout, or locked it
        data["locked"] = True
    log_action(None, "auth.login_failed", data=data, area_code=area_code)
