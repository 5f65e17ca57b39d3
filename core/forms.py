"""The login form: while a username-and-address pair (or the address) is locked, it says so
instead of checking the password (core.login_limits, django-axes)."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LOCKED_MESSAGE = _("Too many failed attempts. Wait 15 minutes, then try again.")


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form; axes' backend refuses a locked attempt inside `authenticate`."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(LOCKED_MESSAGE, code="locked") from None
            raise
