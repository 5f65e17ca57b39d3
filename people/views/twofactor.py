"""Pages of two-factor login: the code after the password, setting it up (QR code), the
recovery codes, and a county officer's reset (people.twofactor)."""

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import login_limits
from core.forms import LOCKED_MESSAGE
from core.routes import Routes
from core.scoping import get_visible_or_404
from core.two_factor import OTP_INVALID, has_device, verify_code

from ..forms import CodeForm, SetupForm
from ..models import User
from ..twofactor import (
    SESSION_ENROLLED,
    SESSION_SETUP_KEY,
    code_matches,
    demo_code_hint,
    enrol,
    may_reset,
    new_key,
    renew_recovery_codes,
    reset_two_factor,
    secret_text,
    show_code,
)

route = Routes()


def _next(request) -> str:
    """Where to go once verified: the `next` asked for, if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


def _with_next(name, next_url) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _verified(request, device) -> None:
    """The session passed its second factor (a new session key, as at any login)."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[SESSION_ENROLLED] = True


@route("code/", name="verify", public=True)
@never_cache
def verify(request):
    """The second step of the login: the 6-digit code, or a recovery code."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next(request)
    if user.is_verified():
        return redirect(next_url)
    if not has_device(user):  # reset meanwhile, or never enrolled
        request.session[SESSION_ENROLLED] = False
        if user.requires_two_factor:
            return redirect(_with_next("twofactor:setup", next_url))
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if login_limits.is_locked(request, user.get_username()):
            form.add_error(None, LOCKED_MESSAGE)
            status = 429
        else:
            device = verify_code(request, user, form.cleaned_data["otp_token"])
            if device is not None:
                _verified(request, device)
                if isinstance(device, StaticDevice):
                    left = StaticToken.objects.filter(device=device).count()
                    messages.warning(
                        request,
                        _("You used a recovery code: %(left)s left.") % {"left": left},
                    )
                return redirect(next_url)
            if getattr(request, "axes_locked_out", False):
                form.add_error(None, LOCKED_MESSAGE)
                status = 429
            else:
                form.add_error("otp_token", OTP_INVALID)
    context = {"form": form, "next": next_url, "demo_code": demo_code_hint(user)}
    return render(request, "people/twofactor/verify.html", context, status=status)


@route("")
@never_cache
def setup(request):
    """Set up an authenticator: scan the QR code (or type the secret), confirm with a code,
    then keep the recovery codes shown once. An enrolled account sees its state instead."""
    user = request.user
    next_url = _next(request)
    if has_device(user):
        if not user.is_verified():
            return redirect(_with_next("twofactor:verify", next_url))
        static = StaticDevice.objects.filter(user=user).first()
        left = static.token_set.count() if static else 0
        return render(request, "people/twofactor/enrolled.html", {"recovery_left": left})
    key = request.session.get(SESSION_SETUP_KEY) or new_key()
    request.session[SESSION_SETUP_KEY] = key
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = code_matches(key, form.cleaned_data["otp_token"].strip())
        if step is None:
            form.add_error("otp_token", OTP_INVALID)
        else:
            device, codes = enrol(user, key, confirmed_at_step=step)
            del request.session[SESSION_SETUP_KEY]
            _verified(request, device)
            return _show_codes(request, codes, next_url)
    config_url = TOTPDevice(user=user, key=key).config_url
    qr = segno.make(config_url, error="m").svg_inline(
        scale=4, svgclass="qr-code", lineclass=None, title=_("QR code to scan")
    )
    context = {"form": form, "qr": qr, "secret": secret_text(key), "next": next_url}
    return render(request, "people/twofactor/setup.html", context)


def _show_codes(request, codes, next_url):
    context = {"codes": [show_code(c) for c in codes], "next": next_url}
    return render(request, "people/twofactor/recovery_codes.html", context)


@route("recovery-codes/")
@never_cache
@require_POST
def recovery_codes(request):
    """10 new recovery codes (the old ones stop working), shown once."""
    if not (request.user.is_verified() and has_device(request.user)):
        return redirect("twofactor:setup")
    codes = renew_recovery_codes(request.user)
    return _show_codes(request, codes, reverse("twofactor:setup"))


@route("reset/<int:pk>/")
@require_POST
def reset(request, pk):
    """A county officer removes the two-factor login of an account of their jurisdiction
    (a lost phone); outside it, 404."""
    person = get_visible_or_404(User.objects.select_related("area"), request.user, pk=pk)
    if not may_reset(request.user, person):
        raise PermissionDenied
    reset_two_factor(request.user, person)
    messages.success(
        request,
        _("Two-factor login reset: %(person)s sets it up again at the next login.")
        % {"person": person},
    )
    return redirect("people:person_detail", pk=person.pk)
