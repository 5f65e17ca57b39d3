"""jobs' entry in the main menu: the operations page, for the county officer and superuser."""

from django.utils.translation import gettext_lazy as _

from core.menu import MenuItem, in_app, register_for
from people.roles import may_operate

register_for(
    may_operate,
    MenuItem(_("Operations"), "jobs:operations", order=180, active=in_app("jobs")),
)
