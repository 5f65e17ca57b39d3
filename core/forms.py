"""Shared form pieces: how a service's refusal lands on a form, and the login form (while a
username-and-address pair, or the address, is locked it says so instead of checking the
password: core.login_limits, django-axes)."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .exceptions import NotNow, Stale

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


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (else on top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def save_through(form, call):
    """Run a service call for a valid form and return its result; a refusal (core.exceptions)
    becomes the form's errors and the answer is None. `Refused` is not caught: it is a 403."""
    try:
        return call()
    except (Stale, NotNow) as exc:
        form.add_error(None, str(exc.message))
    except ValidationError as exc:
        add_service_errors(form, exc)
    return None
