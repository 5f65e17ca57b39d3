from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedForm

from .models import Area, ServicePoint


class ServicePointForm(VersionedForm):
    """The editable details of a service point."""

    class Meta:
        model = ServicePoint
        fields = ["name", "address", "opening_hours", "floor_area_m2", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}


class NewChildrensHomeForm(forms.ModelForm):
    """A children's home opened in a village of the user's jurisdiction that has none."""

    area_code = forms.CharField(
        label=_("village code"),
        min_length=12,
        max_length=12,
        help_text=_("12-digit code of the village, e.g. 341623100201."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{12}"}),
    )

    class Meta:
        model = ServicePoint
        fields = ["name", "address", "opening_hours", "floor_area_m2", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}

    field_order = ["area_code", "name", "address", "opening_hours", "floor_area_m2", "phone"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.instance.kind = ServicePoint.Kind.CHILDRENS_HOME

    def clean_area_code(self):
        code = self.cleaned_data["area_code"]
        village = Area.objects.visible_to(self.actor).villages().filter(code=code).first()
        if village is None:
            raise forms.ValidationError(_("No village with this code in your jurisdiction."))
        if ServicePoint.objects.homes().filter(area=village).exists():
            raise forms.ValidationError(_("This village already has a children's home."))
        self.instance.area = village
        return code
