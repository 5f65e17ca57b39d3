"""The login form, which refuses to check passwords while an account or address is locked."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import lockout
from .context import current_ip

LOCKED_MESSAGE = _("Too many failed attempts. Wait 15 minutes, then try again.")


class LockoutAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if lockout.is_locked(username, current_ip.get()):
            raise ValidationError(LOCKED_MESSAGE, code="locked")
        return super().clean()
