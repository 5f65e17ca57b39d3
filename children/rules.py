"""Validation rules of a child's record, shared by the pages' forms, the API and the Excel
importer (one place for each rule). Each returns field errors; none touches the database."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import Health, ParentStatus
from .policy import CHILD_AGE_LIMIT, age_on

REQUIRED = _("This field is required.")


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


def parent_errors(status: str, work_province: str) -> dict:
    """A parent's status is required; a migrant worker's province too."""
    if not status:
        return {"status": ValidationError(REQUIRED, code="required")}
    if status == ParentStatus.MIGRANT and not work_province:
        return {
            "work_province": ValidationError(
                _("Where does this parent work? Give the province."), code="required"
            )
        }
    return {}


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
