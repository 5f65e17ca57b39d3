"""A change to a child's record that ends what a benefit was granted for opens its stop at
once: a parent released or back in contact (no longer de facto unsupported), a parent found
(no longer an orphan). The registry sends `categories_lost` (children/signals.py) from the
place every change of a record is written, so edits, imports and the daily review all reach
here."""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from children.signals import categories_lost

from . import services
from .models import Application
from .policy import State, StopReason

# The programmes granted for each category (relief/catalogue.py's codes).
PROGRAMMES_OF = {
    "fuc": ("fuc",),
    "orphan": ("orphan_institution", "orphan_scattered"),
}


@receiver(categories_lost)
def open_stops(sender, child, lost, actor=None, **kwargs):
    """Open the stop of every measure in effect that the lost categories were granted for."""
    codes = [code for category in lost for code in PROGRAMMES_OF.get(category, ())]
    granted = Application.objects.filter(
        child=child, state=State.IN_EFFECT, programme__code__in=codes
    )
    for application in granted:
        services.open_stop(
            None,
            application,
            {
                "stop_reason": StopReason.PARENT_RELEASED,
                "stop_note": _("The child's record no longer shows what the benefit was for."),
            },
            system=True,
        )
