"""Checking a second factor (django-otp): a 6-digit code from an authenticator app, or one
of the account's recovery codes. Used by every login path that asks for it (the code page,
the API token endpoint, the admin's login).

Who must enrol, and the enrolment pages, are the people app's (people.twofactor). A wrong
code counts towards the same lockout as a wrong password (core.login_limits).
"""

import re

import django_otp
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import login_limits
from .audit import log_action

TOTP_CODE = re.compile(r"^\d{6}$")

OTP_REQUIRED = _("Enter the 6-digit code of your authenticator app, or a recovery code.")
OTP_INVALID = _("The code is wrong or was already used.")
OTP_NOT_ENROLLED = _(
    "Your role requires two-factor login: set it up on the website first, then log in here."
)
TWO_FACTOR_PENDING = _(
    "Two-factor login: enter your one-time code on the website (or set it up) first."
)


def normalise(code: str) -> str:
    """A code as typed, without spaces or dashes, lower case (recovery codes are base32)."""
    return re.sub(r"[\s-]+", "", str(code or "")).lower()[:32]


def has_device(user) -> bool:
    """Whether the account has enrolled a confirmed authenticator (or recovery codes)."""
    return django_otp.user_has_device(user)


def verify_code(request, user, code: str):
    """The device that accepts `code` for `user`, or None.

    Six digits are checked against the authenticator app; anything else against the unused
    recovery codes (each works once). A failure is audited and counted by the lockout; the
    use of a recovery code is audited with how many are left.
    """
    code = normalise(code)
    model = TOTPDevice if TOTP_CODE.match(code) else StaticDevice
    device = model.objects.devices_for_user(user, confirmed=True).first() if code else None
    verified = (
        django_otp.verify_token(user, device.persistent_id, code) if device is not None else None
    )
    if verified is None:
        log_action(user, "auth.two_factor_failed", user)
        login_limits.record_failure(request, user.get_username())
        return None
    if isinstance(verified, StaticDevice):
        log_action(user, "auth.recovery_code_used", user, {"left": verified.token_set.count()})
    return verified
