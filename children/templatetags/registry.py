"""Display helpers for the child registry's templates: history labels and values."""

from django import template
from django.utils.translation import gettext_lazy as _

from ..choices import IncomeSource, ParentRole
from ..models import Caregiver, Child, Parent

register = template.Library()

MODELS = {"father": Parent, "mother": Parent, "caregiver": Caregiver}
EXTRA_LABELS = {"id_number": _("identity number"), "area": _("village")}
CAREGIVER = _("entrusted caregiver")


def _field(key):
    prefix, _dot, name = key.rpartition(".")
    model = MODELS.get(prefix, Child)
    try:
        return prefix, model._meta.get_field(name)
    except Exception:  # a key that is not a model field (e.g. id_number)
        return prefix, None


def _label(key):
    prefix, field = _field(key)
    name = key.rpartition(".")[2]
    label = field.verbose_name if field is not None else EXTRA_LABELS.get(name, name)
    if prefix in ParentRole.values:
        return f"{ParentRole(prefix).label} · {label}"
    if prefix == "caregiver":
        return f"{CAREGIVER} · {label}"
    return str(label)


def _value(key, value):
    if value is None or value == "":
        return "—"
    _prefix, field = _field(key)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is not None and field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(value, list):
        if key == "income_sources":
            value = [IncomeSource(v).label if v in IncomeSource.values else v for v in value]
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return (
            "; ".join(
                f"{v.get('name', '')} {v.get('birth_date', '')}".strip()
                for v in value.values()
                if isinstance(v, dict)
            )
            or "—"
        )
    return str(value)


@register.filter
def history_rows(changes: dict):
    """A change's {field: [before, after]} as (label, before, after) rows for display."""
    return [
        (_label(key), _value(key, before), _value(key, after))
        for key, (before, after) in sorted(changes.items())
    ]
