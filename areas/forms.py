from django import forms

from .models import ServicePoint


class ServicePointForm(forms.ModelForm):
    """The editable details of a service point."""

    # Optimistic concurrency: the form carries the version it was based on.
    based_on = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ServicePoint
        fields = ["name", "address", "opening_hours", "floor_area_m2", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}
