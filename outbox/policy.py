"""The outbox's rules: how far the phone's clock may be trusted, and what makes two sends of
one record the same record."""

import datetime as dt
import hashlib
import json

from django.utils.translation import gettext_lazy as _

# A phone's clock may run this far ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=5)
# A record kept on the phone longer than this is refused: too old to enter as it is.
MAX_AGE = dt.timedelta(days=30)

IN_THE_FUTURE = _("The record's time is in the future: check the phone's date and time.")
TOO_OLD = _("The record was made more than 30 days ago: enter it again with today's date.")


def made_at_problem(made_at: dt.datetime, now: dt.datetime):
    """Why the phone's time of a record cannot be taken (None: it can)."""
    if made_at > now + CLOCK_SKEW:
        return IN_THE_FUTURE
    if made_at < now - MAX_AGE:
        return TOO_OLD
    return None


def digest(kind: str, made_at: dt.datetime, data: dict) -> str:
    """sha256 of the canonical JSON of a record as sent (keys sorted, no spaces, the time as
    seconds since the epoch, whatever its time zone): a repeat of the same record has the
    same digest."""
    payload = {"kind": kind, "made_at": f"{made_at.timestamp():.6f}", "data": data}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
