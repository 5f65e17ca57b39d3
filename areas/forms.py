from django import forms

from core.concurrency import VersionedForm

from .models import ServicePoint


class ServicePointForm(VersionedForm):
    """The editable details of a service point."""

    class Meta:
        model = ServicePoint
        fields = ["name", "address", "opening_hours", "floor_area_m2", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}
