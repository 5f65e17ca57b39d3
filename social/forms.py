"""Forms of social forces' work. They parse what was typed; the rules are the services'
(their errors are put next to the fields they name)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.forms import DATE, ServiceForm, VersionedForm, model_field

from .models import HelperProfile, Organisation, Pairing, ServiceRecord, Skill
from .services import (
    HELPER_PROFILE_FIELDS,
    ORGANISATION_FIELDS,
    PAIRING_FIELDS,
    SERVICE_FIELDS,
    organisation_errors,
)


class AreasField(forms.CharField):
    """Areas typed as their 12-digit codes, separated by spaces or commas."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("Statistical codes of the townships or villages served, e.g. 341623100000."),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        codes = [c for c in value.replace(",", " ").replace("，", " ").split() if c]
        bad = [c for c in codes if not (c.isdigit() and len(c) == 12)]
        if bad:
            raise forms.ValidationError(
                _("Not a 12-digit area code: %(codes)s") % {"codes": ", ".join(bad)}
            )
        areas = list(Area.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {a.code for a in areas})
        if unknown:
            raise forms.ValidationError(
                _("No area has the code %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return areas


def skills_field(label) -> forms.MultipleChoiceField:
    """The kinds of service offered (an organisation's, a helper's), as checkboxes."""
    return forms.MultipleChoiceField(
        label=label, choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


def show_areas_served(form) -> None:
    """Start a form of a saved record with the codes of the areas it serves."""
    if form.instance.pk:
        form.initial["area_codes"] = " ".join(a.code for a in form.instance.areas.all())


def data_with_areas(form, fields) -> dict:
    """The values for the service: the `fields`, and the areas served as `areas`."""
    data = {k: v for k, v in form.cleaned_data.items() if k in fields}
    data["areas"] = form.cleaned_data["area_codes"]
    return data


class OrganisationForm(VersionedForm):
    """A social organisation of the register; a change based on a stale copy is refused.
    The register's rules are the service's (social.services.add_organisation and
    update_organisation): their errors are put next to the fields they name."""

    services = skills_field(_("services offered"))
    area_codes = AreasField(label=_("areas served"))

    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS

    def __init__(self, *args, county=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.county = county or getattr(self.instance, "county", None)
        show_areas_served(self)

    def clean_registration_number(self):
        # The service's rule, checked here too so that its error shows beside the form's own
        # (an unknown area code stops the form before the service is called).
        value = (self.cleaned_data.get("registration_number") or "").strip().upper()
        errors = organisation_errors(value)
        if errors:
            raise forms.ValidationError(errors["registration_number"])
        return value

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def organisation_data(self) -> dict:
        """The values for the service, the areas served as `areas`."""
        return data_with_areas(self, ORGANISATION_FIELDS)

    service_field_names = {"areas": "area_codes"}


class HelperProfileForm(forms.ModelForm):
    skills = skills_field(_("skills"))
    area_codes = AreasField(label=_("areas served"))

    class Meta:
        model = HelperProfile
        fields = ["organisation", "skills", "qualification", "note"]

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations
        show_areas_served(self)

    def profile_data(self) -> dict:
        """The values for the service, the areas served as `areas`."""
        return data_with_areas(self, HELPER_PROFILE_FIELDS)


class PairingForm(ServiceForm):
    helper = forms.ModelChoiceField(label=_("helper"), queryset=None)
    purpose = model_field(Pairing, "purpose")
    detail = model_field(Pairing, "detail")
    started_on = model_field(Pairing, "started_on", widget=DATE)
    ended_on = model_field(Pairing, "ended_on", widget=DATE, required=False)

    def __init__(self, *args, helpers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = helpers
        self.fields["helper"].label_from_instance = lambda u: f"{u} · {u.get_role_display()}"

    def pairing_data(self) -> dict:
        return self.data_for(PAIRING_FIELDS)


class EndPairingForm(ServiceForm):
    ended_on = forms.DateField(label=_("last day"), widget=DATE)


class ServiceRecordForm(ServiceForm):
    kind = model_field(ServiceRecord, "kind")
    on = model_field(ServiceRecord, "on", widget=DATE)
    minutes = model_field(ServiceRecord, "minutes", required=False, min_value=1)
    topic = model_field(ServiceRecord, "topic", required=False)
    amount = model_field(ServiceRecord, "amount", required=False, min_value=0)
    purpose = model_field(ServiceRecord, "purpose", required=False)
    items = model_field(ServiceRecord, "items", required=False)
    notes = model_field(
        ServiceRecord, "notes", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, helpers=None, with_notes=True, **kwargs):
        super().__init__(*args, **kwargs)
        if helpers is not None:
            self.fields["helper"] = forms.ModelChoiceField(label=_("helper"), queryset=helpers)
            self.order_fields(["helper"])
        if not with_notes:
            del self.fields["notes"]
        else:
            self.fields["notes"].help_text = _(
                "Confidential: read only by social workers, the township supervisor and "
                "the county officer."
            )

    def record_data(self) -> dict:
        return self.data_for(SERVICE_FIELDS)
