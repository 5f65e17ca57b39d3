from django import forms

from core.concurrency import VersionedForm

from .models import ResponsibilityPost


class ResponsibilityPostForm(VersionedForm):
    """Who holds a post and how to reach them; a blank holder marks the post vacant."""

    class Meta:
        model = ResponsibilityPost
        fields = ["holder_name", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}


class NewResponsibilityPostForm(forms.ModelForm):
    """A post added to a township or village (for example a further village cadre)."""

    class Meta:
        model = ResponsibilityPost
        fields = ["post", "holder_name", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def __init__(self, *args, area, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.area = area
        allowed = ResponsibilityPost.REQUIRED.get(area.level, [])
        self.fields["post"].choices = [(p.value, p.label) for p in allowed]
