"""Forms of relief work. They parse what was typed; the rules are the services' (their
errors are put next to the fields they name)."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.codes import pad
from core.concurrency import version_of
from core.forms import DATE, MonthField, ServiceForm, model_field

from . import policy
from .models import AssistanceContact, Payment, Programme, ReliefMeasure
from .services import CONTACT_FIELDS, MEASURE_FIELDS, PROGRAMME_FIELDS

Status = ReliefMeasure.Status


class ProgrammeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        parts = [obj.name, str(obj.get_payment_display())]
        if obj.standard_amount is not None:
            parts.append(str(obj.standard_amount))
        return " · ".join(parts)


class MeasureForm(ServiceForm):
    """A relief measure: programme, amount, months, provider, status."""

    programme = ProgrammeChoice(queryset=Programme.objects.none(), label=_("programme"))
    status = model_field(ReliefMeasure, "status")
    amount = model_field(
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
    provider_kind = model_field(ReliefMeasure, "provider_kind")
    provider_name = model_field(ReliefMeasure, "provider_name")
    note = model_field(ReliefMeasure, "note", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, child, measure=None, role=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the statuses this role may set now (relief.policy: the village records a
        # measure, a township or county officer puts it in effect).
        offered = policy.statuses_for(role, measure.status if measure is not None else None)
        self.fields["status"].choices = [(s.value, s.label) for s in Status if s in offered]
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

    name = model_field(AssistanceContact, "name")
    role = model_field(AssistanceContact, "role")
    work_unit = model_field(AssistanceContact, "work_unit")
    phone = model_field(AssistanceContact, "phone", widget=forms.TextInput(attrs={"type": "tel"}))
    since = model_field(AssistanceContact, "since", widget=DATE)
    until = model_field(AssistanceContact, "until", widget=DATE)

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

    code = model_field(Programme, "code", help_text=_("Letters, digits and dashes; set once."))
    name = model_field(Programme, "name")
    payment = model_field(Programme, "payment")
    standard_amount = model_field(Programme, "standard_amount")
    provider = model_field(Programme, "provider")
    description = model_field(Programme, "description", widget=forms.Textarea(attrs={"rows": 2}))
    active = model_field(Programme, "active")
    order = model_field(Programme, "order")

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
