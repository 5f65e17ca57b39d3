"""The rules of referrals (转介): who receives them, how long each receiver has to answer,
and when an unanswered one goes up to the township and then to the county."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """Who a child is referred to (the departments and forces of the care system)."""

    TOWNSHIP = "township", _("township government")
    POLICE = "police", _("police")
    SCHOOL = "school", _("school")
    HEALTH = "health", _("health services")
    SOCIAL_WORKER = "social_worker", _("social worker")
    ORGANISATION = "organisation", _("social organisation")
    COURT = "court", _("court: guardianship")


class State(models.TextChoices):
    OPEN = "open", _("waiting for an answer")
    ANSWERED = "answered", _("answered")
    WITHDRAWN = "withdrawn", _("withdrawn")


# Days a receiver has to answer, by kind (settings.SHOUHU_REFERRAL_DUE_DAYS overrides). The
# police act on a report at once (强制报告); a guardianship case before the court takes weeks.
DUE_DAYS = {
    Kind.TOWNSHIP: 7,
    Kind.POLICE: 3,
    Kind.SCHOOL: 7,
    Kind.HEALTH: 7,
    Kind.SOCIAL_WORKER: 14,
    Kind.ORGANISATION: 14,
    Kind.COURT: 30,
}

# An unanswered referral past its due date goes to the township's supervisors; still
# unanswered this many days after that, to the county's officers.
COUNTY_AFTER_DAYS = 7

# The referral a report of concern names (concerns.models.Referral) as a kind of referral:
# temporary guardianship is asked of the civil-affairs office of the township.
FROM_REPORT = {
    "police": Kind.POLICE,
    "guardianship": Kind.TOWNSHIP,
    "school": Kind.SCHOOL,
    "health": Kind.HEALTH,
}


def due_days(kind: str) -> int:
    """Days a receiver of this kind has to answer."""
    configured = getattr(settings, "SHOUHU_REFERRAL_DUE_DAYS", {}) or {}
    return int(configured.get(kind, DUE_DAYS[kind]))


def default_due_on(kind: str, made_on: dt.date) -> dt.date:
    """The due date a referral of this kind gets when the referrer gives none."""
    return made_on + dt.timedelta(days=due_days(kind))
