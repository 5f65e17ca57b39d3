"""core.renderers.FormRenderer writes the plain widgets in Python: the same markup as
Django's templates, character for character, for every kind of widget and value."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from core.renderers import WRITERS, FormRenderer

CHOICES = [("a", "Ａ & <b>"), ("b", gettext_lazy("yes")), (3, 3), ("", "—")]
GROUPED = [("group <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")]


class Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="help")
    optional = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": "<p>"}))
    number = forms.IntegerField(min_value=0)
    decimal = forms.DecimalField(required=False)
    email = forms.EmailField(required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    moment = forms.DateTimeField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    flag = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    pick = forms.ChoiceField(choices=CHOICES, required=False)
    grouped = forms.ChoiceField(choices=GROUPED)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    radio = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, required=False)
    radio_grouped = forms.ChoiceField(choices=GROUPED, widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(
        choices=CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    upload = forms.FileField(required=False)
    nullable = forms.NullBooleanField(required=False)
    attrs = forms.CharField(
        required=False,
        widget=forms.TextInput(
            attrs={"data-x": mark_safe("<safe>"), "data-n": 5, "off": False, "on": True}
        ),
    )


DATA = [
    None,  # unbound
    {},  # bound, empty: errors
    {
        "text": 'a "quoted" <value> & more',
        "number": "12",
        "decimal": "1234.5",
        "day": "2026-03-01",
        "moment": "2026-03-01 08:30",
        "hidden": "h",
        "secret": "s3cret",
        "flag": "on",
        "note": "line one\nline <two>",
        "pick": "3",
        "grouped": "y",
        "many": ["a", "3"],
        "radio": "b",
        "radio_grouped": "z",
        "boxes": ["", "a"],
        "nullable": "true",
        "attrs": "x",
    },
]


def rendered(form, renderer):
    form.renderer = renderer
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize("data", DATA, ids=["unbound", "empty", "filled"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_python_widgets_write_what_djangos_templates_write(data, language):
    with override(language):
        initial = {"day": dt.date(2026, 2, 28), "pick": "b", "many": ["b"], "flag": True}
        ours = rendered(Everything(data, initial=initial, auto_id="id_%s"), FormRenderer())
        django = rendered(Everything(data, initial=initial, auto_id="id_%s"), DjangoTemplates())
        without_ids = Everything(data, auto_id=False)
        assert rendered(without_ids, FormRenderer()) == rendered(without_ids, DjangoTemplates())
    assert ours == django


def test_every_written_template_is_one_of_djangos():
    renderer = DjangoTemplates()
    for name in WRITERS:
        assert renderer.get_template(name)  # a template of that name exists


def test_the_site_uses_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)


def test_a_choice_of_records_is_written_as_django_writes_it(world):
    from areas.models import Area

    class Pick(forms.Form):
        one = forms.ModelChoiceField(Area.objects.order_by("code"))
        some = forms.ModelMultipleChoiceField(
            Area.objects.order_by("code"), widget=forms.CheckboxSelectMultiple, required=False
        )
        radio = forms.ModelChoiceField(Area.objects.order_by("code"), widget=forms.RadioSelect)

    for data in (None, {"one": world["a1"].pk, "some": [world["b1"].pk], "radio": "x"}):
        assert rendered(Pick(data), FormRenderer()) == rendered(Pick(data), DjangoTemplates())
