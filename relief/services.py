"""Service functions of relief work: measures (with their history), assistance contacts and
the county's catalogue. The rules live here; they refuse with core.exceptions (`Invalid`
naming the fields, `Stale` for an edit of an old version), which pages and API answer in one
place each. Every change is audited."""

import datetime as dt
import re
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.codes import COUNTY
from areas.services import county_of
from children.choices import Status as ChildStatus
from core.audit import field_changes, log_action
from core.concurrency import lock_current
from core.exceptions import Invalid, Refused, refuse_invalid
from core.history import record_change
from core.values import typed

from . import policy
from .catalogue import ensure_catalogue
from .models import (
    AssistanceContact,
    MeasureChange,
    Payment,
    Programme,
    ReliefMeasure,
)

Status = ReliefMeasure.Status

# A measure's fields are those its history shows, where the programme is shown by name.
MEASURE_FIELDS = [
    "programme" if name == "programme_name" else name for name in MeasureChange.shown_fields
]
CONTACT_FIELDS = ["name", "work_unit", "role", "phone", "since", "until"]
PROGRAMME_FIELDS = [
    "code",
    "name",
    "payment",
    "standard_amount",
    "provider",
    "description",
    "active",
    "order",
]
# The code is how ensure_catalogue recognises a default programme: it is set once.
PROGRAMME_EDIT_FIELDS = [f for f in PROGRAMME_FIELDS if f != "code"]

# The statuses a measure may move to from each status (relief.policy).
TRANSITIONS = policy.TRANSITIONS

PHONE = re.compile(r"^[0-9+\-() ]{5,30}$")
SLUG = re.compile(r"^[a-z0-9_-]{1,40}$")


def month_of(day: dt.date | None) -> dt.date | None:
    """The month a day falls in, as its first day (how months are stored)."""
    return day.replace(day=1) if day else None


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def _money(value) -> str | None:
    """An amount as text with two decimals (the same before and after a save)."""
    return None if value is None else f"{Decimal(value):.2f}"


def _iso(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _apply(stored, data: dict, fields, clean, snapshot) -> tuple[dict, dict]:
    """Put a change on a stored record: the `fields` that `data` gives, the rest as stored,
    checked by `clean(values)`. Returns the record's `snapshot` before and after."""
    values = {name: getattr(stored, name) for name in fields}
    values.update({k: v for k, v in data.items() if k in fields})
    values = clean(values)
    before = snapshot(stored)
    for name, value in values.items():
        setattr(stored, name, value)
    return before, snapshot(stored)


def _saved_change(stored, data: dict, fields, clean, snapshot) -> dict:
    """_apply a change, and save the record when it changes anything: the fields it changed
    ({field: [before, after]})."""
    changes = field_changes(*_apply(stored, data, fields, clean, snapshot))
    if changes:
        stored.save()
    return changes


def _log_for_child(actor, action: str, record, data: dict) -> None:
    """Audit a change of a measure or contact; every entry names the record's child."""
    log_action(actor, action, record, {"child": record.child_id, **data})


def _refuse_move(record, data: dict, message):
    """A measure or contact stays with its child: `child` in a change must be its own."""
    if data.get("child", record.child) != record.child:
        raise Invalid({"child": message})


def _refuse_status(actor, before: str | None, after: str) -> None:
    """Duties kept apart (relief.policy): a village director records a measure, a township or
    county officer puts it in effect."""
    role = getattr(actor, "role", None) if getattr(actor, "is_authenticated", False) else None
    if not policy.may_set_status(role, before, after):
        raise Refused(_("A township or county officer puts a measure in effect, not the village."))


def _refuse_closed(child, what):
    if child.status != ChildStatus.ACTIVE:
        raise Invalid(
            _("This record is closed: reopen it before adding %(what)s."),
            code="closed",
            params={"what": what},
        )


# -- relief measures ---------------------------------------------------------------------


def measure_snapshot(measure: ReliefMeasure) -> dict:
    """A measure's recorded values as JSON (a revision's data, the audit's before/after)."""
    return {
        "programme": measure.programme_id,
        "programme_name": measure.programme.name,
        "amount": _money(measure.amount),
        "payment": measure.payment,
        "start_month": _iso(measure.start_month),
        "end_month": _iso(measure.end_month),
        "provider_kind": measure.provider_kind,
        "provider_name": measure.provider_name,
        "status": measure.status,
        "note": measure.note,
    }


def programme_by_code(child, code: str, actor=None) -> Programme:
    """A programme of the child's county's catalogue by its code (loading the catalogue)."""
    county = county_of(child.area)
    if county is not None:
        ensure_catalogue(county, actor)
    programme = Programme.objects.filter(county=county, code=code).first()
    if programme is None:
        raise Invalid({"programme": _("The county's catalogue has no programme with this code.")})
    return programme


def clean_measure(child, values: dict, before: ReliefMeasure | None = None) -> dict:
    """Check and complete a measure's values (new when `before` is None); raises
    Invalid naming the fields at fault."""
    errors = {}
    programme = values.get("programme")
    if programme is None:
        errors["programme"] = _("Choose a programme.")
    elif programme.county.code[:6] != child.area.code[:6]:
        errors["programme"] = _("This programme belongs to another county's catalogue.")
    elif not programme.active and (before is None or before.programme_id != programme.pk):
        errors["programme"] = _("This programme is no longer in use.")

    payment = values.get("payment") or (programme.payment if programme else Payment.MONTHLY)
    amount = values.get("amount")
    if amount is None and before is None and programme is not None:
        amount = programme.standard_amount  # a new measure starts from the standard
    if amount is not None and amount <= 0:
        errors["amount"] = _("The amount must be more than zero (leave it empty if none).")

    status = values.get("status") or Status.APPLIED
    if before is not None and status not in TRANSITIONS[before.status]:
        errors["status"] = _(
            "A measure cannot go back from “%(before)s” to “%(after)s”; record a new measure."
        ) % {"before": Status(before.status).label, "after": Status(status).label}

    start, end = month_of(values.get("start_month")), month_of(values.get("end_month"))
    if start is None:
        errors["start_month"] = _("Enter the first month.")
    elif status == Status.ENDED and end is None:
        # An ended measure ends this month unless said otherwise (a one-off: its month).
        end = start if payment == Payment.ONE_OFF else max(this_month(), start)
    if start is not None and end is not None:
        if end < start:
            errors["end_month"] = _("The last month cannot be before the first.")
        elif payment == Payment.ONE_OFF and end != start:
            errors["end_month"] = _(
                "A one-off measure is paid in one month: leave the last month empty or "
                "make it the first month."
            )
        elif status == Status.ENDED and end > max(this_month(), start):
            errors["end_month"] = _("An ended measure cannot end after this month.")
    refuse_invalid(errors)
    return {
        "programme": programme,
        "amount": amount,
        "payment": payment,
        "start_month": start,
        "end_month": end,
        "provider_kind": values.get("provider_kind") or ReliefMeasure.Provider.GOVERNMENT,
        "provider_name": typed(values, "provider_name"),
        "status": status,
        "note": typed(values, "note"),
    }


@transaction.atomic
def add_measure(actor, child, data: dict) -> ReliefMeasure:
    """Record a relief measure for a child. `programme` may be a Programme or the code of
    one in the child's county's catalogue (which is loaded if the county has none yet)."""
    _refuse_closed(child, _("a relief measure"))
    data = {k: v for k, v in data.items() if k in MEASURE_FIELDS}
    if isinstance(data.get("programme"), str):
        data["programme"] = programme_by_code(child, data["programme"], actor)
    values = clean_measure(child, data)
    _refuse_status(actor, None, values["status"])
    authenticated = getattr(actor, "is_authenticated", False)
    measure = ReliefMeasure(child=child, created_by=actor if authenticated else None, **values)
    measure.save()
    _log_for_child(actor, "relief.measure.created", measure, measure_snapshot(measure))
    return measure


@transaction.atomic
def update_measure(actor, measure: ReliefMeasure, data: dict, *, based_on) -> ReliefMeasure:
    """Change a measure (status, amount, months…) based on the version `based_on`; the
    fields it changes are kept in the measure's history. Returns the measure as saved."""
    _refuse_move(measure, data, _("A measure cannot move to another child."))
    stored = lock_current(
        ReliefMeasure.objects.select_related("programme__county", "child__area"),
        measure.pk,
        based_on,
    )
    clean = partial(clean_measure, stored.child, before=stored)
    before, after = _apply(stored, data, MEASURE_FIELDS, clean, measure_snapshot)
    if not field_changes(before, after):
        return stored
    _refuse_status(actor, before["status"], after["status"])
    changes = record_change(MeasureChange, actor, before, after, measure=stored)
    stored.save()
    _log_for_child(actor, "relief.measure.updated", stored, {"changes": changes})
    return stored


# -- assistance contacts -----------------------------------------------------------------


def contact_snapshot(contact: AssistanceContact) -> dict:
    return {name: _iso(getattr(contact, name)) for name in CONTACT_FIELDS}


def clean_contact(values: dict) -> dict:
    """Check and tidy a contact's values; raises Invalid naming the fields."""
    errors = {}
    cleaned = {
        "name": typed(values, "name"),
        "work_unit": typed(values, "work_unit"),
        "role": values.get("role") or AssistanceContact.Role.OTHER,
        "phone": typed(values, "phone"),
        "since": values.get("since"),
        "until": values.get("until"),
    }
    if not cleaned["name"]:
        errors["name"] = _("Enter the contact's name.")
    if cleaned["phone"] and not PHONE.match(cleaned["phone"]):
        errors["phone"] = _("Enter a phone number: digits, with spaces or dashes if needed.")
    if cleaned["since"] is None:
        errors["since"] = _("Enter the day the contact took on the child.")
    elif cleaned["until"] is not None and cleaned["until"] < cleaned["since"]:
        errors["until"] = _("The end cannot be before the start.")
    refuse_invalid(errors)
    return cleaned


@transaction.atomic
def add_contact(actor, child, data: dict) -> AssistanceContact:
    """Name an assistance contact (帮扶联系人) for a child."""
    _refuse_closed(child, _("an assistance contact"))
    values = clean_contact({k: v for k, v in data.items() if k in CONTACT_FIELDS})
    contact = AssistanceContact.objects.create(child=child, **values)
    _log_for_child(actor, "relief.contact.created", contact, contact_snapshot(contact))
    return contact


def _locked_contact(contact, based_on) -> AssistanceContact:
    return lock_current(
        AssistanceContact.objects.select_related("child__area"), contact.pk, based_on
    )


@transaction.atomic
def update_contact(actor, contact: AssistanceContact, data: dict, *, based_on):
    """Correct a contact's details based on the version `based_on`. Returns it as saved."""
    _refuse_move(contact, data, _("A contact cannot move to another child."))
    stored = _locked_contact(contact, based_on)
    if changes := _saved_change(stored, data, CONTACT_FIELDS, clean_contact, contact_snapshot):
        _log_for_child(actor, "relief.contact.updated", stored, {"changes": changes})
    return stored


@transaction.atomic
def end_contact(actor, contact: AssistanceContact, until: dt.date | None = None, *, based_on):
    """A contact stops being answerable for the child (from `until`, default today)."""
    stored = _locked_contact(contact, based_on)
    if stored.until is not None:
        raise Invalid({"until": _("This contact has already ended.")})
    until = until or timezone.localdate()
    if until < stored.since:
        raise Invalid({"until": _("The end cannot be before the start.")})
    stored.until = until
    stored.save(update_fields=["until", "updated_at"])
    _log_for_child(actor, "relief.contact.ended", stored, {"until": until.isoformat()})
    return stored


# -- the county's catalogue --------------------------------------------------------------


def programme_snapshot(programme: Programme) -> dict:
    data = {name: getattr(programme, name) for name in PROGRAMME_FIELDS}
    data["standard_amount"] = _money(data["standard_amount"])
    return data


def clean_programme(county, values: dict, before: Programme | None = None) -> dict:
    """Check a programme's values; the code must be new in the county's catalogue."""
    errors = {}
    cleaned = {
        "name": typed(values, "name"),
        "payment": values.get("payment") or Payment.MONTHLY,
        "standard_amount": values.get("standard_amount"),
        "provider": typed(values, "provider"),
        "description": typed(values, "description"),
        "active": bool(values.get("active", True)),
        "order": values.get("order") if values.get("order") is not None else 100,
    }
    if before is None:
        cleaned["code"] = typed(values, "code").lower()
        if not SLUG.match(cleaned["code"]):
            errors["code"] = _("Enter a short code of letters, digits, dashes or underscores.")
        elif Programme.objects.filter(county=county, code=cleaned["code"]).exists():
            errors["code"] = _("The catalogue already has a programme with this code.")
    if not cleaned["name"]:
        errors["name"] = _("Enter the programme's name.")
    elif (
        Programme.objects.filter(county=county, name=cleaned["name"])
        .exclude(pk=getattr(before, "pk", None))
        .exists()
    ):
        errors["name"] = _("The catalogue already has a programme with this name.")
    if cleaned["standard_amount"] is not None and cleaned["standard_amount"] <= 0:
        errors["standard_amount"] = _("The amount must be more than zero (leave it empty if none).")
    refuse_invalid(errors)
    return cleaned


@transaction.atomic
def create_programme(actor, county, data: dict) -> Programme:
    """Add a programme to a county's catalogue (county officers)."""
    if county is None or county.level != COUNTY:
        raise Invalid(_("Programmes belong to a county's catalogue."))
    values = clean_programme(county, data)
    programme = Programme.objects.create(county=county, **values)
    log_action(actor, "relief.programme.created", programme, programme_snapshot(programme))
    return programme


@transaction.atomic
def update_programme(actor, programme: Programme, data: dict, *, based_on) -> Programme:
    """Change a programme of the catalogue (name, standard amount, in use…); not its code."""
    if data.get("code", programme.code) != programme.code:
        raise Invalid({"code": _("A programme's code cannot be changed.")})
    stored = lock_current(Programme.objects.select_related("county"), programme.pk, based_on)
    clean = partial(clean_programme, stored.county, before=stored)
    if changes := _saved_change(stored, data, PROGRAMME_EDIT_FIELDS, clean, programme_snapshot):
        log_action(actor, "relief.programme.updated", stored, {"changes": changes})
    return stored
