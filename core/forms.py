"""Shared form pieces: how a service's refusal lands on a form, and the login form (while a
username-and-address pair, or the address, is locked it says so instead of checking the
password: core.login_limits, django-axes)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .concurrency import is_current, version_of
from .exceptions import STALE_MESSAGE, NotNow, Stale

LOCKED_MESSAGE = _("Too many failed attempts. Wait 15 minutes, then try again.")


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form; axes' backend refuses a locked attempt inside `authenticate`."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(LOCKED_MESSAGE, code="locked") from None
            raise


TICK_ALL_SHOWN = _("Tick all shown")


class PickList(forms.CheckboxSelectMultiple):
    """Checkboxes of a list of people (the children at an activity) with, by forms.js, a
    search box that shows only the options matching what is typed and a button that ticks
    every option shown. Both work in the browser alone (a page kept on the phone offline),
    and neither has a name: the form sends the same fields as before.

    `search_text(obj)` is the text an option is found by (its label when not given, e.g.
    a child's name and its pinyin); `all_label` names the button.
    """

    template_name = "core/widgets/pick_list.html"

    def __init__(self, attrs=None, *, search_text=None, all_label=TICK_ALL_SHOWN):
        super().__init__(attrs)
        self.search_text = search_text
        self.all_label = all_label

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        """An option, with the text it is found by (lower case, as the search compares)."""
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        text = self.search_text(instance) if self.search_text and instance else label
        option["attrs"]["data-search"] = str(text).lower()
        return option

    def get_context(self, name, value, attrs):
        """The widget's context, with the button's label."""
        context = super().get_context(name, value, attrs)
        context["widget"]["all_label"] = self.all_label
        return context


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (else on top)."""
    if hasattr(exc, "error_dict"):
        names = getattr(form, "service_field_names", {})
        for field, errors in exc.error_dict.items():
            field = names.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def save_through(form, call):
    """Run a service call for a valid form and return its result; a refusal (core.exceptions)
    becomes the form's errors and the answer is None. `Refused` is not caught: it is a 403."""
    try:
        return call()
    except (Stale, NotNow) as exc:
        field = getattr(exc, "field", None)
        form.add_error(field if field in form.fields else None, str(exc.message))
    except ValidationError as exc:
        add_service_errors(form, exc)
    return None


SAVED = _("Saved.")


def saved(request, form, call, message=SAVED) -> bool:
    """Whether a posted form is valid and the service `call` went through (save_through: a
    refusal becomes the form's errors); `message` then says so on the next page."""
    if request.method == "POST" and form.is_valid() and save_through(form, call) is not None:
        messages.success(request, message)
        return True
    return False


def refusal_message(call) -> str:
    """Run a service call for a page without a form (a button); its refusal's message for
    `messages.error`, or "" when it went through. `Refused` is not caught: it is a 403."""
    try:
        call()
    except (Stale, NotNow) as exc:
        return str(exc.message)
    except ValidationError as exc:
        return " ".join(str(m) for m in exc.messages)
    return ""


# -- the base of forms whose save is a service call ---------------------------------------

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


class PhotosInput(forms.ClearableFileInput):
    """The phone's camera (`capture`) or its pictures, several at once; core/outbox.js resizes
    them on the phone (data-photos) before they are kept or sent."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        defaults = {"accept": "image/*", "capture": "environment", "data-photos": ""}
        super().__init__({**defaults, **(attrs or {})})


class PhotosField(forms.FileField):
    """Photos of a record (none, one or several files): the list of the files sent. Whether
    each is a photo, and its size, is the service's rule (core.images)."""

    widget = PhotosInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("photos"))
        kwargs.setdefault(
            "help_text", _("Taken with the phone; made smaller and stripped of the location.")
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(item, initial) for item in files if item]


def photos_refused(form, request) -> bool:
    """A photo the upload handler stopped reading (core.uploads: over the size limit) is an
    error on the form's photos, never a record saved without it. True when it said so (call
    after `is_valid()`)."""
    refused = getattr(request, "upload_refused", None)
    if not refused or "photos" not in form.fields:
        return False
    form.add_error(
        "photos",
        _(
            "The photo “%(name)s” is larger than %(limit)s MB: nothing was saved. "
            "Take it again or choose a smaller one."
        )
        % {"name": refused["name"], "limit": refused["limit"] // (1024 * 1024)},
    )
    return True


class ServiceForm(forms.Form):
    """A form whose save is a service call based on the version it was shown."""

    based_on = forms.CharField(widget=forms.HiddenInput, required=False)

    # A service field whose form field has another name (service name → form name).
    service_field_names: dict[str, str] = {}

    def data_for(self, names) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in names}


def model_field(model, name, **kwargs):
    """The form field of a model field, so a form repeats neither its label nor its limits."""
    return model._meta.get_field(name).formfield(**kwargs)


def change_through(form, update, actor, record, data):
    """save_through for a change based on the version the form was shown: the service
    `update(actor, record, data, based_on=)`; its result, or None when it refused."""
    based_on = form.cleaned_data["based_on"]
    return save_through(form, lambda: update(actor, record, data, based_on=based_on))


class VersionedForm(forms.ModelForm):
    """A ModelForm that refuses to save over a newer version of its record."""

    based_on = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["based_on"] = version_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            stored = type(self.instance).objects.filter(pk=self.instance.pk).first()
            if not is_current(stored, cleaned.get("based_on")):
                raise forms.ValidationError(STALE_MESSAGE, code="stale")
        return cleaned

    def changes(self) -> dict:
        """The cleaned values of the model's fields (without the version token)."""
        return {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields}


def change_form(form_class, request, record, **kwargs):
    """The form of a page that changes `record`. A POST binds to a fresh copy: the form sets
    values on its instance while validating, and the service must see the record as it was
    (to keep the earlier version). Otherwise the form shows the record."""
    if request.method == "POST":
        fresh = type(record).objects.get(pk=record.pk)
        return form_class(request.POST, instance=fresh, **kwargs)
    return form_class(instance=record, **kwargs)
