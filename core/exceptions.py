"""The one family of exceptions a service raises when it refuses a change.

Services raise these and nothing else; each has one answer, given in one place:
`core.api.exception_handler` for the API and `core.forms.save_through` for a page's form.

| exception | meaning                                          | API | on a form          |
|-----------|--------------------------------------------------|-----|--------------------|
| `Invalid` | the data breaks a rule (field errors)            | 400 | next to the fields |
| `Refused` | this user may not do this                        | 403 | (the 403 page)     |
| `Stale`   | the record changed since the version edited      | 409 | on top             |
| `NotNow`  | a step the record's present state does not allow | 409 | on top             |

`Invalid` is a Django `ValidationError` and `Refused` a `PermissionDenied`, so code that
already handles those (model validation, Django's 403 page) handles them too.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "Someone else changed this record while you were editing it. "
    "Your changes were not saved; reload the page to see the current version."
)


class ServiceError(Exception):
    """Base of every refusal a service raises."""


class Invalid(ValidationError, ServiceError):
    """The data breaks a rule: a message, a list, or a dict of field → messages."""


def refuse_invalid(errors: dict) -> None:
    """Refuse with the field errors a check gathered ({field: message}), if it found any."""
    if errors:
        raise Invalid(errors)


class Refused(PermissionDenied, ServiceError):
    """This user may not take this step on this record."""


class Stale(ServiceError):
    """The record changed after the version the edit was based on; nothing was saved."""

    message = STALE_MESSAGE

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(self.message)


class NotNow(ServiceError):
    """A step that the record's present state does not allow (a closed round, an import
    already running); `message` says why, for the user. `field`, when given, is the form
    field the message belongs beside (the API answers `detail` all the same)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field
