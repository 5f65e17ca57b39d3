"""Applications' daily jobs: stops that are due opened, late steps sent up."""

from django.utils.translation import gettext_lazy as _

from jobs import schedule, services

from . import services as applications


@services.work(
    title=_("Stops of benefits that are due opened"), counts={"opened": _("stops opened")}
)
def open_due_stops(progress) -> dict:
    """The daily run of `manage.py open_due_stops`."""
    return {"opened": applications.open_due_stops()}


@services.work(
    title=_("Applications past their step's deadline escalated"),
    counts={"escalated": _("applications escalated")},
)
def escalate_applications(progress) -> dict:
    """The daily run of `manage.py escalate_applications`."""
    return {"escalated": applications.escalate_overdue()}


schedule.every_day("open_due_stops", open_due_stops, at="02:05")
schedule.every_day("escalate_applications", escalate_applications, at="02:10")
