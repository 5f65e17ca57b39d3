"""Forms of relief work. They parse what was typed; the rules are the services' (their
errors are put next to the fields they name)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.codes import pad
from core.concurrency import version_of

from .models import AssistanceContact, Payment, Programme, ReliefMeasure
from .services import CONTACT_FIELDS, MEASURE_FIELDS, PROGRAMME_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MonthInput(forms.DateInput):
    """<input type=month>: browsers without it show a text box, hence the placeholder."""

    input_type = "month"

    def __init__(self, attrs=None):
        attrs = {"placeholder": "2026-01", "pattern": r"\d{4}-\d{2}", **(attrs or {})}
        super().__init__(attrs, format="%Y-%m")


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (a full date is accepted too), as its first day."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, e.g. 2026-03.")}

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class ServiceForm(forms.Form):
    """A form whose save is a service call based on the version it was shown."""

    based_on = forms.CharField(widget=forms.HiddenInput, required=False)

    def add_service_errors(self, exc: ValidationError):
        """Put a service's ValidationError next to the fields it names (else on top)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)

    def data_for(self, names) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in names}


def _field(model, name, **kwargs):
    return model._meta.get_field(name).formfield(**kwargs)


class ProgrammeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        parts = [obj.name, str(obj.get_payment_display())]
        if obj.standard_amount is not None:
            parts.append(str(obj.standard_amount))
        return " · ".join(parts)


class MeasureForm(ServiceForm):
    """A relief measure: programme, amount, months, provider, status."""

    programme = ProgrammeChoice(queryset=Programme.objects.none(), label=_("programme"))
    status = _field(ReliefMeasure, "status")
    amount = _field(
        ReliefMeasure,
        "amount",
        help_text=_("Leave empty to use the programme's standard amount, if it has one."),
    )
    payment = forms.ChoiceField(
        label=_("paid"),
        required=False,
        choices=[("", _("as the programme is paid")), *Payment.choices],
    )
    start_month = MonthField(label=_("from month"))
    end_month = MonthField(
        label=_("to month"),
        required=False,
        help_text=_("Leave empty while it goes on; an ended measure ends this month by default."),
    )
    provider_kind = _field(ReliefMeasure, "provider_kind")
    provider_name = _field(ReliefMeasure, "provider_name")
    note = _field(ReliefMeasure, "note", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, child, measure=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The child's county's catalogue: programmes in use, and the measure's own.
        in_use = Q(active=True)
        if measure is not None:
            in_use |= Q(pk=measure.programme_id)
        self.fields["programme"].queryset = Programme.objects.filter(
            in_use, county__code=pad(child.area.code[:6])
        ).order_by("order", "name")
        if measure is not None and not self.is_bound:
            self.initial.update({name: getattr(measure, name) for name in MEASURE_FIELDS})
            self.initial["programme"] = measure.programme_id
            self.initial["based_on"] = version_of(measure)
        elif not self.is_bound:
            self.initial.setdefault("start_month", timezone.localdate().replace(day=1))

    def measure_data(self) -> dict:
        return self.data_for(MEASURE_FIELDS)


class ContactForm(ServiceForm):
    """An assistance contact: who, from where, how to reach them, since when."""

    name = _field(AssistanceContact, "name")
    role = _field(AssistanceContact, "role")
    work_unit = _field(AssistanceContact, "work_unit")
    phone = _field(AssistanceContact, "phone", widget=forms.TextInput(attrs={"type": "tel"}))
    since = _field(AssistanceContact, "since", widget=DATE)
    until = _field(AssistanceContact, "until", widget=DATE)

    def __init__(self, *args, contact=None, **kwargs):
        super().__init__(*args, **kwargs)
        if contact is None:
            del self.fields["until"]  # a new contact is current; ending is its own step
            if not self.is_bound:
                self.initial.setdefault("since", timezone.localdate())
        elif not self.is_bound:
            self.initial.update({name: getattr(contact, name) for name in CONTACT_FIELDS})
            self.initial["based_on"] = version_of(contact)

    def contact_data(self) -> dict:
        return self.data_for(CONTACT_FIELDS)


class EndContactForm(ServiceForm):
    """The day a contact stops being answerable for the child."""

    until = forms.DateField(label=_("until"), widget=DATE)

    def __init__(self, *args, contact, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.update({"until": timezone.localdate(), "based_on": version_of(contact)})


class ProgrammeForm(ServiceForm):
    """A programme of the county's catalogue; amounts are data the county keeps current."""

    code = _field(Programme, "code", help_text=_("Letters, digits and dashes; set once."))
    name = _field(Programme, "name")
    payment = _field(Programme, "payment")
    standard_amount = _field(Programme, "standard_amount")
    provider = _field(Programme, "provider")
    description = _field(Programme, "description", widget=forms.Textarea(attrs={"rows": 2}))
    active = _field(Programme, "active")
    order = _field(Programme, "order")

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        if programme is not None:
            del self.fields["code"]
            if not self.is_bound:
                self.initial.update(
                    {n: getattr(programme, n) for n in PROGRAMME_FIELDS if n != "code"}
                )
                self.initial["based_on"] = version_of(programme)

    def programme_data(self) -> dict:
        return self.data_for(PROGRAMME_FIELDS)
