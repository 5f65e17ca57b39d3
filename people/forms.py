from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.forms import LOCKED_MESSAGE, VersionedForm
from core.two_factor import OTP_INVALID, OTP_NOT_ENROLLED, OTP_REQUIRED, has_device, verify_code

from .models import ResponsibilityPost, User
from .roles import Role


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


class AreaCodeField(forms.CharField):
    """A 12-digit area code, which must lie inside the acting user's jurisdiction."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("min_length", 12)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9]{12}"})


class AccountForm(VersionedForm):
    """An account: who it is, its role and the area it is bound to (its jurisdiction)."""

    area_code = AreaCodeField(
        label=_("area code"),
        help_text=_("12-digit code of the township or village, e.g. 341623100201."),
    )

    class Meta:
        model = User
        fields = ["name", "role", "phone", "is_active"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["name"].required = True
        self.fields["role"].required = True
        assignable = actor.assignable_roles
        self.fields["role"].choices = [("", "---------")] + [
            (value, label) for value, label in Role.choices if value in assignable
        ]
        if self.instance.area_id and not self.is_bound:
            self.initial["area_code"] = self.instance.area.code

    def clean_area_code(self):
        code = self.cleaned_data["area_code"]
        area = Area.objects.visible_to(self.actor).filter(code=code).first()
        if area is None:
            raise forms.ValidationError(_("No area with this code in your jurisdiction."))
        self.instance.area = area
        return code

    def _update_errors(self, errors):
        # The model reports area problems on "area"; the form's field is "area_code".
        if hasattr(errors, "error_dict") and "area" in errors.error_dict:
            errors.error_dict["area_code"] = errors.error_dict.pop("area")
        super()._update_errors(errors)

    def changes(self) -> dict:
        changes = super().changes()
        changes["area"] = self.instance.area
        return changes


class NewAccountForm(AccountForm):
    """A new account with its first password (the person should change it)."""

    username = forms.RegexField(
        label=_("username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Letters, digits and @/./+/-/_ only.")},
    )
    password1 = forms.CharField(label=_("password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("password again"), widget=forms.PasswordInput, strip=False)

    class Meta(AccountForm.Meta):
        fields = ["name", "role", "phone"]

    field_order = ["username", "name", "role", "area_code", "phone", "password1", "password2"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.instance)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AccountPasswordForm(SetPasswordForm):
    """A manager sets a new password for an account (e.g. a director who forgot theirs)."""


class ApiTokenForm(forms.Form):
    """A new API token: a name to recognise it by (the device or script that uses it)."""

    name = forms.CharField(
        label=_("name"),
        max_length=60,
        help_text=_('The device or program that will use it, e.g. "office laptop".'),
    )


def _code_field(label, max_length: int, inputmode: str) -> forms.CharField:
    """The field of a one-time code, focused, for the phone's keyboard and autofill."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": inputmode, "autofocus": True}
        ),
    )


class CodeForm(forms.Form):
    """The one-time code: 6 digits from the app, or a recovery code."""

    otp_token = _code_field(_("6-digit code or recovery code"), 32, "text")


class SetupForm(forms.Form):
    """The first code of a new authenticator, to confirm it was added correctly."""

    otp_token = _code_field(_("6-digit code shown by the app"), 8, "numeric")


class TwoFactorAdminLoginForm(AdminAuthenticationForm):
    """The admin's login: password and, for accounts with two-factor login, the code.

    Counted by the same lockout as the site's login (core.login_limits).
    """

    otp_token = forms.CharField(
        label=_("6-digit code or recovery code"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean(self):
        try:
            super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(LOCKED_MESSAGE, code="locked") from None
            raise
        user = self.get_user()
        if not has_device(user):
            raise ValidationError(OTP_NOT_ENROLLED, code="not_enrolled")
        code = self.cleaned_data.get("otp_token")
        if not code:
            raise ValidationError(OTP_REQUIRED, code="otp_required")
        device = verify_code(self.request, user, code)
        if device is None:
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(LOCKED_MESSAGE, code="locked")
            raise ValidationError(OTP_INVALID, code="otp_invalid")
        user.otp_device = device  # django_otp keeps it in the session at login
        return self.cleaned_data
