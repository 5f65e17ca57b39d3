"""Validation rules of a child's record, shared by the services, the pages' forms, the API
and the Excel importer (one place for each rule, so each refusal has one message). Each
returns field errors; only `registered_holder` reads the database (the uniqueness of an
identity number)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import idnumber

from .choices import ConsentGiver, Health, ParentStatus, ProcessingBasis
from .models import Child
from .policy import CHILD_AGE_LIMIT, CONSENT_AGE, age_on

REQUIRED = _("This field is required.")
NOT_A_CHOICE = _("Select a valid choice. That choice is not one of the available choices.")
CARE_LEVEL_REASON = _("Setting the care level by hand needs a written reason.")
DUPLICATE_VISIBLE = _("This identity number is already registered: %(name)s in %(village)s.")
DUPLICATE_ELSEWHERE = _(
    "This identity number is already registered in another jurisdiction. "
    "Contact the county civil affairs bureau."
)


def date_not_in_future(value: dt.date | None, today: dt.date) -> ValidationError | None:
    if value and value > today:
        return ValidationError(_("This date is in the future."), code="future")
    return None


def birth_date_errors(birth_date: dt.date, today: dt.date) -> ValidationError | None:
    """A child of the registry: born, and under 18."""
    if birth_date > today:
        return ValidationError(_("This date is in the future."), code="future")
    if age_on(birth_date, today) >= CHILD_AGE_LIMIT:
        return ValidationError(_("The registry is for children under 18."), code="adult")
    return None


def health_errors(health: str, disability_category: str, illness: str) -> dict:
    """A disabled child needs the disability category; an ill child the illness."""
    errors = {}
    if health == Health.DISABLED and not disability_category:
        errors["disability_category"] = ValidationError(
            _("Give the disability category."), code="required"
        )
    if health == Health.ILL and not illness:
        errors["illness"] = ValidationError(_("Name the illness."), code="required")
    return errors


def parent_errors(
    status: str,
    work_province: str,
    disability_category: str = "",
    disability_grade: int | None = None,
) -> dict:
    """A parent's status is required; a migrant worker's province too; a disabled parent's
    disability category and grade, from which the policy computes whether the disability is
    severe (重残). A missing "since" of imprisonment or lost contact is accepted: the child
    is then at special attention until it is given (see policy)."""
    if not status:
        return {"status": ValidationError(REQUIRED, code="required")}
    errors = {}
    if status == ParentStatus.MIGRANT and not work_province:
        errors["work_province"] = ValidationError(
            _("Where does this parent work? Give the province."), code="required"
        )
    errors.update(parent_disability_errors(status, disability_category, disability_grade))
    return errors


def parent_disability_errors(status: str, disability_category: str, disability_grade) -> dict:
    """A disabled parent needs the category and grade: the classification computes from
    them whether the disability is severe (重残), so none may be missing on a save."""
    errors = {}
    if status == ParentStatus.DISABLED:
        if not disability_category:
            errors["disability_category"] = ValidationError(
                _("Give the disability category (on the disability certificate)."),
                code="required",
            )
        if not disability_grade:
            errors["disability_grade"] = ValidationError(
                _("Give the disability grade (1 to 4, on the disability certificate)."),
                code="required",
            )
    return errors


def unsaved_values_errors(kind: str, values: dict) -> dict:
    """Values typed into fields that do not apply to the answer given, which would be
    dropped on saving: refused with the reason, so nothing typed is lost silently.

    `kind` is "child" (disability and illness apply to a disabled or ill child) or "parent"
    (the work place applies to a migrant worker, the disability to a disabled parent).
    `values` holds only what the user typed or changed.
    """
    if kind == "child":
        applies = {
            "disability_category": (values.get("health") == Health.DISABLED, NOT_DISABLED),
            "disability_grade": (values.get("health") == Health.DISABLED, NOT_DISABLED),
        }
    else:
        status = values.get("status")
        applies = {
            "work_province": (status == ParentStatus.MIGRANT, NOT_MIGRANT),
            "work_city": (status == ParentStatus.MIGRANT, NOT_MIGRANT),
            "disability_category": (status == ParentStatus.DISABLED, NOT_DISABLED_PARENT),
            "disability_grade": (status == ParentStatus.DISABLED, NOT_DISABLED_PARENT),
        }
    return {
        name: ValidationError(message, code="not_saved")
        for name, (applies_here, message) in applies.items()
        if values.get(name) not in (None, "") and not applies_here
    }


NOT_DISABLED = _(
    "Only for a disabled child: this would not be saved. Set health to “disabled”, or clear it."
)
NOT_MIGRANT = _(
    "Only for a migrant worker: this would not be saved. Set the status to “migrant worker”, "
    "or clear it."
)
NOT_DISABLED_PARENT = _(
    "Only for a disabled parent: this would not be saved. Set the status to “disabled”, "
    "or clear it."
)
SINCE_ASKED = _(
    "For imprisonment or lost contact: the date from which the six months run (de facto "
    "unsupported). Without it the child stays at special attention, guardianship at risk."
)


def caregiver_errors(name: str, relationship: str, assessment: str) -> dict:
    """An entrusted caregiver needs a name, a relationship and an assessment."""
    return {
        field: ValidationError(REQUIRED, code="required")
        for field, value in (
            ("name", name),
            ("relationship", relationship),
            ("assessment", assessment),
        )
        if not value
    }


def id_number_errors(value: str, birth_date: dt.date | None, sex: str | None):
    """Parse an identity number and check it against the recorded birth date and sex.
    Returns (the parsed number or None, field errors)."""
    try:
        parsed = idnumber.parse(value)
    except ValidationError as error:
        return None, {"id_number": error}
    return parsed, idnumber.cross_check(parsed, birth_date, sex)


MANS_NUMBER = _("This identity number is a man's: check that it is this person's.")
WOMANS_NUMBER = _("This identity number is a woman's: check that it is this person's.")


def family_id_errors(value: str, birth_date: dt.date | None, sex: str | None = None):
    """A parent's or the entrusted caregiver's identity number, checked as the child's is
    (GB 11643: length, characters, date, check character) and against what is recorded:
    the birth date, and the sex the role implies (a father's number is a man's, a
    grandmother's a woman's). Returns (the parsed number or None, field errors)."""
    try:
        parsed = idnumber.parse(value)
    except ValidationError as error:
        return None, {"id_number": error}
    errors = idnumber.cross_check(parsed, birth_date, None)
    if sex and sex != parsed.sex:
        message = MANS_NUMBER if parsed.sex == idnumber.MALE else WOMANS_NUMBER
        errors["id_number"] = ValidationError(message, code="sex_mismatch")
    return parsed, errors


def caregiver_birth_errors(birth_date: dt.date | None, today: dt.date) -> dict:
    """An entrusted caregiver is born, and at least 16 (as the age field requires)."""
    if birth_date is None:
        return {}
    if birth_date > today:
        return {"birth_date": ValidationError(_("This date is in the future."), code="future")}
    if age_on(birth_date, today) < CAREGIVER_MIN_AGE:
        return {
            "birth_date": ValidationError(
                _("An entrusted caregiver is at least 16 years old."), code="too_young"
            )
        }
    return {}


CAREGIVER_MIN_AGE = 16


def signoff_errors(values: dict, today: dt.date) -> dict:
    """The form's header, sign-off and confirmation: dates not in the future; the reviewer
    (复核人) someone other than the person who filled the form in (填表人); a confirmation
    says who confirmed, as what, and when."""
    errors = {}
    for name in ("reported_on", "confirmed_on"):
        error = date_not_in_future(values.get(name), today)
        if error:
            errors[name] = error
    filled, checked = (values.get("filled_by") or "").strip(), (values.get("checked_by") or "")
    if filled and filled == checked.strip():
        errors["checked_by"] = ValidationError(
            _("The reviewer is someone other than the person who filled in the form."),
            code="same_person",
        )
    confirmation = ("confirmed_by", "confirmed_relationship", "confirmed_on")
    if any(values.get(name) for name in confirmation):
        for name in confirmation:
            if not values.get(name) and name not in errors:
                errors[name] = ValidationError(
                    _("A confirmation gives who confirmed, their relation and the date."),
                    code="required",
                )
    return errors


def registered_holder(number: str, exclude_pk=None):
    """The child already registered with this identity number, if any (any jurisdiction)."""
    holders = Child.objects.with_id_number(number).select_related("area")
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    return holders.first()


def duplicate_error(name: str, village: str, visible: bool) -> ValidationError:
    """A second registration of the same number: the holder is named only to those who
    may see it (elsewhere it is only said to exist)."""
    if visible:
        return ValidationError(
            DUPLICATE_VISIBLE, code="duplicate", params={"name": name, "village": village}
        )
    return ValidationError(DUPLICATE_ELSEWHERE, code="duplicate")


def child_errors(
    values: dict, id_number: str | None, *, today: dt.date, actor=None, exclude_pk=None
):
    """Every rule on a child's own facts: under 18 and born, a well-formed identity number
    that agrees with the birth date and sex and is not already registered, the health
    details. `values` holds birth_date, sex, health, disability_category and illness.
    Returns (the parsed identity number or None, field errors)."""
    errors = {}
    birth_date, sex = values.get("birth_date"), values.get("sex")
    if birth_date:
        error = birth_date_errors(birth_date, today)
        if error:
            errors["birth_date"] = error
    parsed = None
    if id_number:
        parsed, id_errors = id_number_errors(id_number, birth_date, sex)
        for name, error in id_errors.items():
            errors.setdefault(name, error)
        if parsed is not None:
            holder = registered_holder(parsed.number, exclude_pk)
            if holder is not None:
                visible = (
                    actor is not None
                    and Child.objects.visible_to(actor).filter(pk=holder.pk).exists()
                )
                errors["id_number"] = duplicate_error(holder.name, holder.area.name, visible)
    if "health" in values:
        for name, error in health_errors(
            values.get("health"), values.get("disability_category"), values.get("illness")
        ).items():
            errors.setdefault(name, error)
    return parsed, errors


BASIS_FIELDS = (
    "processing_basis",
    "basis_law",
    "basis_on",
    "consent_by",
    "consent_relationship",
    "basis_note",
)


def basis_errors(data: dict, birth_date: dt.date, today: dt.date) -> dict:
    """The legal basis for processing a child's data (PIPL art. 13, 31): which one, and the
    date; a statutory duty names its law; a consent names who gave it. A child's own
    consent only from 14 (a younger child's needs a parent or guardian)."""
    errors = {}
    basis, on = data.get("processing_basis") or "", data.get("basis_on")
    if not basis:
        errors["processing_basis"] = ValidationError(REQUIRED, code="required")
    elif basis not in ProcessingBasis.values:
        errors["processing_basis"] = ValidationError(NOT_A_CHOICE, code="invalid_choice")
    if on is None:
        errors["basis_on"] = ValidationError(REQUIRED, code="required")
    elif on > today:
        errors["basis_on"] = ValidationError(_("This date is in the future."), code="future")
    elif on < birth_date:
        errors["basis_on"] = ValidationError(
            _("This date is before the child's birth date."), code="before_birth"
        )
    if basis == ProcessingBasis.STATUTORY_DUTY and not (data.get("basis_law") or "").strip():
        errors["basis_law"] = ValidationError(
            _("Name the law or decision the duty rests on."), code="required"
        )
    if basis == ProcessingBasis.GUARDIAN_CONSENT:
        if not (data.get("consent_by") or "").strip():
            errors["consent_by"] = ValidationError(
                _("Give the name of the parent or guardian who consented."), code="required"
            )
        relationship = data.get("consent_relationship") or ""
        if relationship not in ConsentGiver.values or relationship == ConsentGiver.CHILD:
            errors["consent_relationship"] = ValidationError(
                _("Say how the person who consented is related to the child."), code="required"
            )
    if basis == ProcessingBasis.CHILD_CONSENT and on and age_on(birth_date, on) < CONSENT_AGE:
        errors["processing_basis"] = ValidationError(
            _(
                "A child under 14 cannot consent alone: record the consent of a parent or "
                "guardian (PIPL art. 31)."
            ),
            code="under_14",
        )
    return errors
