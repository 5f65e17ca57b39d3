"""Two-factor login (django-otp): who must have it, enrolment, recovery codes, the reset by a
county officer, the middleware that holds back unverified sessions, and the admin site.

After the password, an account with two-factor login gives a 6-digit code from an
authenticator app (TOTP) or one of its 10 recovery codes (core.two_factor checks both).
Roles of people.roles.TWO_FACTOR_ROLES, and superusers, must enrol before they reach any
page or API operation; everyone else may enrol from their account page.
"""

import base64
import binascii
import os

import django_otp
from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import log_action
from core.exceptions import Refused
from core.two_factor import (
    TWO_FACTOR_PENDING,
    has_device,
)

from .forms import TwoFactorAdminLoginForm
from .roles import TWO_FACTOR_RESET_ROLES

RECOVERY_CODES = 10
# The session remembers whether the account has a device, so that a director without one
# costs no query per page (recomputed on the code page when it is stale).
SESSION_ENROLLED = "two_factor_enrolled"
# The secret being set up, kept in the session until confirmed with a code.
SESSION_SETUP_KEY = "two_factor_setup_key"

# DEMO ONLY: the shared secret of the demo accounts that must use two-factor login
# (`manage.py seed_demo`), printed by `manage.py demo_logins`. It is public: an account
# enrolled with it has no second factor at all. Never used outside the demo.
DEMO_TOTP_KEY = "73686f7568752d64656d6f2d6f6e6c792d6b6579"  # "shouhu-demo-only-key"


def new_key() -> str:
    """A random 20-byte TOTP secret, hex-encoded as django-otp stores it."""
    return binascii.hexlify(os.urandom(20)).decode()


def secret_text(key: str) -> str:
    """The secret in base32, in groups of four, for typing into an authenticator app."""
    text = base64.b32encode(binascii.unhexlify(key)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def current_code(key: str) -> str:
    """The code an authenticator app shows now for `key` (demo and tests)."""
    return f"{TOTP(binascii.unhexlify(key)).token():06d}"


def code_matches(key: str, code: str) -> int | None:
    """The time step at which `code` is valid for `key` (one step of drift allowed)."""
    totp = TOTP(binascii.unhexlify(key))
    try:
        return totp.t() if totp.verify(int(code), tolerance=1) else None
    except ValueError:
        return None


def _recovery_tokens() -> list[str]:
    return [StaticToken.random_token() for _ in range(RECOVERY_CODES)]


def show_code(token: str) -> str:
    """A recovery code as shown: two groups of four ("abcd-efgh")."""
    return f"{token[:4]}-{token[4:]}"


@transaction.atomic
def enrol(user, key: str, *, confirmed_at_step: int | None = None, actor=None) -> tuple:
    """Give `user` an authenticator (the secret `key`) and 10 new recovery codes, replacing
    any they had. Returns (device, recovery codes); audited without the secrets."""
    delete_devices(user)
    device = TOTPDevice.objects.create(
        user=user,
        name=str(_("authenticator app")),
        key=key,
        confirmed=True,
        # The code that confirmed the set-up cannot be used again to log in.
        last_t=confirmed_at_step if confirmed_at_step is not None else -1,
    )
    codes = _new_recovery_codes(user)
    log_action(actor or user, "people.user.two_factor_enrolled", user)
    return device, codes


@transaction.atomic
def enrol_demo_accounts(users) -> int:
    """DEMO ONLY: enrol `users` with the public DEMO_TOTP_KEY (no recovery codes), so that
    the demo's logins work with the code printed by `manage.py demo_logins`. Audited."""
    users = list(users)
    devices = [
        TOTPDevice(user=user, name=str(_("demo authenticator")), key=DEMO_TOTP_KEY, confirmed=True)
        for user in users
    ]
    TOTPDevice.objects.bulk_create(devices, batch_size=1000)
    for user in users:
        log_action(None, "people.user.two_factor_enrolled", user, {"demo": True})
    return len(devices)


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=str(_("recovery codes")), confirmed=True)
    tokens = _recovery_tokens()
    StaticToken.objects.bulk_create(StaticToken(device=static, token=t) for t in tokens)
    return tokens


@transaction.atomic
def renew_recovery_codes(user) -> list[str]:
    """10 new recovery codes for an enrolled account; the old ones stop working."""
    tokens = _new_recovery_codes(user)
    log_action(user, "people.user.recovery_codes_renewed", user)
    return tokens


def may_reset(actor, person) -> bool:
    """Whether `actor` may reset `person`'s two-factor login (`person` must already be
    visible to them: inside their jurisdiction). Nobody resets their own."""
    return actor.is_active and actor.role in TWO_FACTOR_RESET_ROLES and person.pk != actor.pk


@transaction.atomic
def reset_two_factor(actor, person) -> int:
    """Remove every authenticator and recovery code of `person` (a lost phone): they enrol
    again at their next login. Audited as "two-factor reset"."""
    if not may_reset(actor, person):
        raise Refused
    removed = delete_devices(person)
    log_action(actor, "people.user.two_factor_reset", person, {"devices": removed})
    return removed


def delete_devices(user) -> int:
    """Remove every device of one account, confirmed or not; how many there were."""
    removed = 0
    for model in django_otp.device_classes():
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    return removed


def is_enrolled(request) -> bool:
    """Whether the session's account has a device (remembered in the session)."""
    enrolled = request.session.get(SESSION_ENROLLED)
    if enrolled is None:
        enrolled = has_device(request.user)
        request.session[SESSION_ENROLLED] = enrolled
    return enrolled


class TwoFactorMiddleware:
    """Holds back a signed-in session that has not passed its one-time code.

    An account with a device is sent to the code page; an account whose role requires
    two-factor login but has none is sent to set it up. API calls get 403 instead. Other
    accounts pass. Requests authenticated by an API token pass: the token endpoint asked
    for the code before issuing it.
    """

    OPEN_URL_NAMES = [
        "login",
        "logout",
        "set_language",
        "healthz",
        "twofactor:verify",
        "twofactor:setup",
    ]

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def open_paths(self) -> set[str]:
        if self._open_paths is None:
            self._open_paths = {reverse(name) for name in self.OPEN_URL_NAMES}
        return self._open_paths

    def __call__(self, request):
        return self.hold_back(request) or self.get_response(request)

    def hold_back(self, request):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        is_api = request.path_info.startswith("/api/")
        if is_api and "HTTP_AUTHORIZATION" in request.META:
            return None
        if request.path_info in self.open_paths():
            return None
        enrolled = is_enrolled(request)
        if not enrolled and not user.requires_two_factor:
            return None
        if is_api:
            return JsonResponse({"detail": str(TWO_FACTOR_PENDING)}, status=403)
        target = reverse("twofactor:verify" if enrolled else "twofactor:setup")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class TwoFactorAdminSite(OTPAdminSite):
    """Django's admin for verified sessions only (django-otp's OTPAdminSite), whose login
    asks for the one-time code."""

    login_form = TwoFactorAdminLoginForm
    login_template = "admin/two_factor_login.html"

    def __init__(self, name="admin"):
        super().__init__(name)


def demo_code_hint(user) -> str | None:
    """On the demo only: the current code of an account enrolled with the public demo
    secret (anyone can compute it from the README anyway)."""
    if not settings.DEMO:
        return None
    if not TOTPDevice.objects.filter(user=user, key=DEMO_TOTP_KEY, confirmed=True).exists():
        return None
    return current_code(DEMO_TOTP_KEY)
