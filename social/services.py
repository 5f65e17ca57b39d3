"""The rules of social forces' work: pairing a helper with a child, ending it, and the
services helpers record, the register of organisations and helpers' profiles. Refusals are
core.exceptions (`Invalid` naming the fields, `Refused`, `Stale`), answered by the pages and
the API in one place each. Every change is audited; aid given feeds the child's relief
measures."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from children.choices import Status as ChildStatus
from children.models import Child
from core.audit import field_changes, log_action
from core.concurrency import lock_current
from core.exceptions import Invalid, Refused, refuse_invalid
from core.history import assign
from core.values import typed
from people.models import User
from people.roles import HELPER_ROLES, is_helper
from relief import services as relief
from relief.models import Payment, ReliefMeasure

from .models import (
    HelperProfile,
    Organisation,
    Pairing,
    ServiceRecord,
    credit_code_error,
    current_on,
)

Kind = ServiceRecord.Kind
PAIRING_FIELDS = ["helper", "purpose", "detail", "started_on", "ended_on"]
SERVICE_FIELDS = ["kind", "on", "minutes", "topic", "notes", "amount", "purpose", "items"]
LONGEST_SESSION = 8 * 60  # minutes: a longer "session" is a typing mistake


def serves(helper, child: Child) -> bool:
    """Whether a helper works where the child lives: the account's own area, or one of the
    areas their profile says they serve, contains the child's village."""
    code = child.area.code
    if helper.area_id and code.startswith(helper.area.prefix):
        return True
    profile = HelperProfile.objects.filter(user=helper).first()
    return bool(profile) and any(code.startswith(a.prefix) for a in profile.areas.all())


def may_pair(actor, child: Child) -> bool:
    """Directors and township or county officers pair the children they may edit."""
    return Child.objects.editable_by(actor).filter(pk=child.pk).exists()


def clean_pairing(child: Child, values: dict, before: Pairing | None = None) -> dict:
    """Check a pairing's values; raises Invalid naming the fields at fault."""
    errors = {}
    helper = values.get("helper") if before is None else before.helper
    today = timezone.localdate()
    if helper is None:
        errors["helper"] = _("Choose a volunteer or social worker.")
    elif not is_helper(helper) or not helper.is_active:
        errors["helper"] = _("Only an active volunteer or social worker can be paired.")
    elif not serves(helper, child):
        errors["helper"] = _("This helper does not serve the child's village.")
    if not values.get("purpose"):
        errors["purpose"] = _("Say what the help is for.")
    start, end = values.get("started_on"), values.get("ended_on")
    if start is None:
        errors["started_on"] = _("Enter the first day.")
    elif start > today + dt.timedelta(days=366):
        errors["started_on"] = _("A pairing starts within a year from today.")
    if start and end and end < start:
        errors["ended_on"] = _("The end cannot be before the start.")
    if helper is not None and start and "helper" not in errors:
        overlapping = Pairing.objects.filter(child=child, helper=helper)
        if before is not None:
            overlapping = overlapping.exclude(pk=before.pk)
        overlapping = overlapping.filter(started_on__lte=end or dt.date.max).exclude(
            ended_on__lt=start
        )
        if overlapping.exists():
            errors["helper"] = _("This helper is already paired with the child for these days.")
    refuse_invalid(errors)
    return {
        "helper": helper,
        "purpose": values["purpose"],
        "detail": typed(values, "detail"),
        "started_on": start,
        "ended_on": end,
    }


def _snapshot(pairing: Pairing) -> dict:
    return {
        "child": pairing.child_id,
        "helper": pairing.helper_id,
        "purpose": pairing.purpose,
        "started_on": pairing.started_on.isoformat(),
        "ended_on": pairing.ended_on.isoformat() if pairing.ended_on else None,
    }


@transaction.atomic
def pair(actor, child: Child, data: dict) -> Pairing:
    """Pair a helper with a child (结对帮扶)."""
    if not may_pair(actor, child):
        raise Refused
    if child.status != ChildStatus.ACTIVE:
        raise Invalid(_("A closed record cannot be paired."))
    values = clean_pairing(child, {k: v for k, v in data.items() if k in PAIRING_FIELDS})
    pairing = Pairing.objects.create(child=child, created_by=actor, **values)
    log_action(
        actor, "social.pairing.created", pairing, _snapshot(pairing), area_code=child.area.code
    )
    return pairing


@transaction.atomic
def end_pairing(actor, pairing: Pairing, on: dt.date | None = None) -> Pairing:
    """End a pairing on a day (today by default); its services stay on the child's page."""
    pairing = Pairing.objects.select_for_update().select_related("child__area").get(pk=pairing.pk)
    if not may_pair(actor, pairing.child):
        raise Refused
    on = on or timezone.localdate()
    if on < pairing.started_on:
        raise Invalid({"ended_on": _("The end cannot be before the start.")})
    if pairing.ended_on is not None and pairing.ended_on <= on:
        raise Invalid({"ended_on": _("This pairing has already ended.")})
    pairing.ended_on = on
    pairing.save(update_fields=["ended_on", "updated_at"])
    log_action(
        actor,
        "social.pairing.ended",
        pairing,
        _snapshot(pairing),
        area_code=pairing.child.area.code,
    )
    return pairing


def paired_children(helper, day: dt.date | None = None):
    """The children a helper is paired with on a day: all a helper may see of the registry."""
    pairings = Pairing.objects.filter(helper=helper).filter(current_on(day or timezone.localdate()))
    return Child.objects.filter(pk__in=pairings.values("child_id"), status=ChildStatus.ACTIVE)


def current_pairing(helper, child: Child) -> Pairing | None:
    return (
        Pairing.objects.filter(helper=helper, child=child)
        .filter(current_on(timezone.localdate()))
        .first()
    )


def may_record(actor, child: Child) -> bool:
    """A helper records services for the children paired with them now; directors and
    officers for the children they may edit (a helper's record brought in on paper)."""
    if is_helper(actor):
        return current_pairing(actor, child) is not None
    return may_pair(actor, child)


def clean_service(child: Child, values: dict) -> dict:
    """Check a service record's values by kind; raises Invalid by field."""
    errors = {}
    kind = values.get("kind")
    today = timezone.localdate()
    if kind not in Kind.values:
        errors["kind"] = _("Choose the kind of service.")
    on = values.get("on")
    if on is None:
        errors["on"] = _("Enter the date.")
    elif on > today:
        errors["on"] = _("The date cannot be in the future.")
    minutes, amount = values.get("minutes"), values.get("amount")
    topic = typed(values, "topic")
    purpose = typed(values, "purpose")
    items = typed(values, "items")
    if kind in ServiceRecord.TIMED_KINDS:
        if not minutes:
            errors["minutes"] = _("Enter how long it took, in minutes.")
        elif minutes > LONGEST_SESSION:
            errors["minutes"] = _("A session lasts at most 8 hours.")
    if kind == Kind.COUNSELLING and not topic:
        errors["topic"] = _("Enter the topic of the session.")
    if kind == Kind.FINANCIAL:
        if amount is None:
            errors["amount"] = _("Enter the amount given.")
        if not purpose:
            errors["purpose"] = _("Say what the money is for.")
    if amount is not None and amount <= 0:
        errors["amount"] = _("The amount must be more than zero.")
    if kind == Kind.MATERIAL and not items:
        errors["items"] = _("Say what was given.")
    refuse_invalid(errors)
    keep_amount = kind in ServiceRecord.AID_KINDS
    return {
        "kind": kind,
        "on": on,
        "minutes": minutes if kind in ServiceRecord.TIMED_KINDS else None,
        "topic": topic,
        "notes": typed(values, "notes"),
        "amount": amount if keep_amount else None,
        "purpose": purpose,
        "items": items if kind == Kind.MATERIAL else "",
    }


def _aid_measure(actor, record: ServiceRecord) -> ReliefMeasure:
    """Aid given is a relief measure of the county's "donation" programme, one-off and
    delivered (ended), so the child's relief history shows it with its provider."""
    profile = HelperProfile.objects.filter(user=record.helper).select_related("organisation")
    organisation = getattr(profile.first(), "organisation", None)
    what = record.purpose if record.kind == Kind.FINANCIAL else record.items
    return relief.add_measure(
        actor,
        record.child,
        {
            "programme": "donation",
            "amount": record.amount,
            "payment": Payment.ONE_OFF,
            "start_month": record.on,
            "provider_kind": ReliefMeasure.Provider.ORGANISATION
            if organisation
            else ReliefMeasure.Provider.PERSON,
            "provider_name": organisation.name if organisation else str(record.helper),
            "status": ReliefMeasure.Status.ENDED,
            "note": f"{record.get_kind_display()}: {what}"[:300],
        },
    )


@transaction.atomic
def record_service(actor, child: Child, data: dict, helper=None) -> ServiceRecord:
    """Record a service given to a child. A helper records their own; an officer may record
    one for a helper (`helper`). Aid also becomes a relief measure of the child."""
    if not may_record(actor, child):
        raise Refused
    helper = actor if is_helper(actor) else helper
    if helper is None or not is_helper(helper):
        raise Invalid({"helper": _("Choose the volunteer or social worker.")})
    values = clean_service(child, {k: v for k, v in data.items() if k in SERVICE_FIELDS})
    pairing = current_pairing(helper, child)
    record = ServiceRecord.objects.create(child=child, helper=helper, pairing=pairing, **values)
    if record.kind in ServiceRecord.AID_KINDS:
        record.relief_measure = _aid_measure(actor, record)
        record.save(update_fields=["relief_measure"])
    log_action(
        actor,
        "social.service.created",
        record,
        {
            "child": child.pk,
            "helper": helper.pk,
            "kind": record.kind,
            "on": record.on.isoformat(),
            "amount": str(record.amount) if record.amount else None,
        },
        area_code=child.area.code,
    )
    return record


ORGANISATION_FIELDS = [
    "name",
    "registration_number",
    "services",
    "contact_name",
    "contact_phone",
    "active",
]


def _organisation_snapshot(organisation: Organisation) -> dict:
    data = {name: getattr(organisation, name) for name in ORGANISATION_FIELDS}
    data["services"] = sorted(data["services"] or [])
    data["areas"] = sorted(a.code for a in organisation.areas.all()) if organisation.pk else []
    return data


def _check_organisation(organisation: Organisation, areas) -> None:
    """The register's rules; raises Invalid naming the fields at fault."""
    organisation.name = (organisation.name or "").strip()
    organisation.registration_number = (organisation.registration_number or "").strip().upper()
    errors = {}
    try:
        organisation.full_clean(validate_constraints=False)
    except ValidationError as exc:  # the model's own field rules
        errors.update(exc.message_dict)
    errors.update(organisation_errors(organisation.registration_number))
    same = Organisation.objects.filter(county=organisation.county, name=organisation.name)
    if organisation.name and same.exclude(pk=organisation.pk).exists():
        errors["name"] = _("The county already has an organisation of this name.")
    county = organisation.county.code[:6]
    outside = [a.code for a in areas or [] if not a.code.startswith(county)]
    if outside:
        errors["areas"] = _("Outside the county: %(codes)s") % {"codes": ", ".join(outside)}
    refuse_invalid(errors)


@transaction.atomic
def add_organisation(actor, county, data: dict) -> Organisation:
    """Register a social organisation of the county, with the areas it serves; audited."""
    organisation = Organisation(
        county=county, **{k: v for k, v in data.items() if k in ORGANISATION_FIELDS}
    )
    areas = data.get("areas") or []
    _check_organisation(organisation, areas)
    organisation.save()
    organisation.areas.set(areas)
    log_action(
        actor,
        "social.organisation.created",
        organisation,
        {"name": organisation.name, "fields": _organisation_snapshot(organisation)},
    )
    return organisation


@transaction.atomic
def update_organisation(actor, organisation: Organisation, data: dict, *, based_on):
    """Change an organisation's details (and, when `areas` is given, the areas it serves).

    `based_on` is the version the change started from: the row is locked and a newer version
    refuses the save (core.exceptions.Stale), so two saves cannot both pass the check.
    Returns the organisation as saved.
    """
    stored = lock_current(Organisation.objects.select_related("county"), organisation.pk, based_on)
    before = _organisation_snapshot(stored)
    assign(stored, data, ORGANISATION_FIELDS)
    areas = data.get("areas")
    _check_organisation(stored, areas)
    stored.save()  # even when only the areas change: the version moves on
    if areas is not None:
        stored.areas.set(areas)
    changes = field_changes(before, _organisation_snapshot(stored))
    log_action(
        actor,
        "social.organisation.updated",
        stored,
        {"fields": sorted(changes), "changes": changes},
    )
    return stored


def organisation_errors(registration_number: str) -> dict:
    """Field errors of an organisation's registration number (empty: none)."""
    if registration_number and (error := credit_code_error(registration_number)):
        return {"registration_number": error}
    return {}


HELPER_PROFILE_FIELDS = ["organisation", "skills", "qualification", "note"]


def profile_of(account) -> HelperProfile:
    """A helper's profile, made (empty) the first time it is asked for."""
    profile, _created = HelperProfile.objects.get_or_create(user=account)
    return profile


def _profile_snapshot(profile: HelperProfile) -> dict:
    data = {name: getattr(profile, name) for name in HELPER_PROFILE_FIELDS}
    data["organisation"] = profile.organisation_id
    data["skills"] = sorted(data["skills"] or [])
    data["areas"] = sorted(a.code for a in profile.areas.all())
    return data


@transaction.atomic
def update_helper_profile(actor, profile: HelperProfile, data: dict) -> HelperProfile:
    """Change what a helper offers (organisation, skills, qualification, note) and, when
    `areas` is given, the areas they serve; audited with the names of the fields changed.
    Returns the profile as saved."""
    stored = (
        HelperProfile.objects.select_for_update(of=("self",))
        .select_related("user__area")
        .get(pk=profile.pk)
    )
    before = _profile_snapshot(stored)
    for name in HELPER_PROFILE_FIELDS:
        if name in data:
            setattr(stored, name, data[name])
    stored.save()
    if data.get("areas") is not None:
        stored.areas.set(data["areas"])
    after = _profile_snapshot(stored)
    log_action(
        actor,
        "social.helper.updated",
        stored,
        {"fields": sorted(name for name in after if after[name] != before[name])},
        area_code=stored.user.area.code if stored.user.area_id else "",
    )
    return stored


def helpers_serving(child: Child):
    """Active helpers who may be paired with a child: bound to an area containing the
    village, or serving one in their profile."""
    code = child.area.code
    containing = [code[:n].ljust(12, "0") for n in (0, 2, 4, 6, 9, 12)]
    helpers = User.objects.filter(role__in=list(HELPER_ROLES), is_active=True)
    bound = helpers.filter(area__code__in=containing)
    served = helpers.filter(helper_profile__areas__code__in=containing)
    return (bound | served).distinct().order_by("role", "name", "username")
