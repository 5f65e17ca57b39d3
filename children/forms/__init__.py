"""Forms of the child registry: the child, the parents, the caregiver, and lifecycle steps."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core import idnumber
from core.forms import VersionedForm
from core.uploads import UploadRefused, check_xlsx

from .. import rules
from ..choices import (
    RELATIONSHIP_SEX,
    CareLevel,
    CloseReason,
    ConsentGiver,
    Health,
    IncomeSource,
    ParentRole,
    ParentStatus,
    ProcessingBasis,
)
from ..models import Caregiver, Child, Parent
from ..names import pinyin_of
from ..services import KEEP

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def contact_widgets(*dates) -> dict:
    """The widgets of a parent's or caregiver's form: a date picker for each of `dates`,
    the phone keypad for the phone."""
    return {**dict.fromkeys(dates, DATE), "phone": forms.TextInput(attrs={"inputmode": "tel"})}


GRANDPARENTS = [
    ("paternal_grandfather", _("paternal grandfather")),
    ("paternal_grandmother", _("paternal grandmother")),
    ("maternal_grandfather", _("maternal grandfather")),
    ("maternal_grandmother", _("maternal grandmother")),
]


def not_in_future(value):
    error = rules.date_not_in_future(value, timezone.localdate())
    if error:
        raise error


class ChildForm(VersionedForm):
    """The child's own facts (the national form's first block) and the household's."""

    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("village"))
    id_number = forms.CharField(
        label=_("identity number"),
        required=False,
        max_length=30,
        help_text=_(
            "18 characters. Leave empty if the child has none yet: the record is "
            "then flagged for follow-up."
        ),
    )
    income_sources = forms.MultipleChoiceField(
        label=_("household income sources"),
        choices=IncomeSource.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confirm_not_duplicate = forms.BooleanField(
        label=_("I checked: this is a different child"),
        required=False,
    )

    class Meta:
        model = Child
        fields = list(Child.RECORDED_FIELDS)
        widgets = {"birth_date": DATE, "reported_on": DATE, "confirmed_on": DATE}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        villages = Area.objects.visible_to(actor).villages().select_related("parent")
        self.fields["area"].queryset = villages
        self.fields["area"].label_from_instance = lambda a: f"{a.parent.name} {a.name}"
        if villages.count() == 1:
            self.fields["area"].initial = villages.first()
        require_when(self, "health", Health.DISABLED, "disability_category")
        require_when(self, "health", Health.ILL, "illness")
        for name, label in GRANDPARENTS:
            self.fields[f"{name}_name"] = forms.CharField(
                label=label, required=False, max_length=50
            )
            self.fields[f"{name}_birth"] = forms.DateField(
                label=_("%(who)s: birth date") % {"who": label},
                required=False,
                widget=DATE,
                validators=[not_in_future],
            )
            if self.instance.pk:
                gp = (self.instance.grandparents or {}).get(name, {})
                self.initial.setdefault(f"{name}_name", gp.get("name", ""))
                self.initial.setdefault(f"{name}_birth", gp.get("birth_date") or None)
        if self.instance.pk:
            # Moving to another village is a transfer (with its handover), not an edit.
            self.fields["area"].disabled = True
            self.fields["area"].help_text = _("To move the child to another village, use Transfer.")
        if self.instance.pk and not self.is_bound and getattr(actor, "sees_full_id", False):
            self.initial["id_number"] = self.instance.id_number
        if self.instance.pk and not getattr(actor, "sees_full_id", False):
            # Roles that see masked numbers cannot change them either.
            self.fields["id_number"].disabled = True
            self.initial["id_number"] = self.instance.id_masked
        elif self.instance.pk and getattr(self.instance.id_number, "unreadable", False):
            # No configured key reads the stored number: it is kept as stored, unchanged.
            self.fields["id_number"].disabled = True
            self.fields["id_number"].help_text = self.instance.id_number
            self.initial["id_number"] = self.instance.id_masked
        self.possible_duplicates = []
        if self.instance.pk:
            # Children of this village, and siblings already linked elsewhere.
            candidates = (
                Child.objects.visible_to(actor)
                .filter(
                    Q(area_id=self.instance.area_id, status="active")
                    | Q(pk__in=self.instance.siblings.values("pk"))
                )
                .exclude(pk=self.instance.pk)
                .order_by("name_pinyin")
            )
            self.fields["siblings"] = forms.ModelMultipleChoiceField(
                label=_("registered siblings"),
                required=False,
                queryset=candidates,
                initial=[c.pk for c in candidates.filter(siblings=self.instance)],
                widget=forms.SelectMultiple(attrs={"size": 6}),
                help_text=_("Brothers and sisters registered in this village."),
            )

    def clean_id_number(self):
        if self.fields["id_number"].disabled:
            return None
        return idnumber.normalize(self.cleaned_data.get("id_number", ""))

    def clean(self):
        """The registry's rules (children/rules.py, the same the services apply), shown
        field by field; the form itself only parses."""
        cleaned = super().clean()
        if self.errors.get("__all__"):  # stale: nothing else matters
            return cleaned
        if self.fields["id_number"].disabled:
            number = self.instance.id_number  # kept as it is, but still cross-checked
            number = None if getattr(number, "unreadable", False) else number  # (if readable)
        else:
            number = cleaned.get("id_number")
        parsed, errors = rules.child_errors(
            cleaned,
            number,
            today=timezone.localdate(),
            actor=self.actor,
            exclude_pk=self.instance.pk,
        )
        if parsed is not None and not self.fields["id_number"].disabled:
            cleaned["id_number"] = parsed.number
        typed = {name: cleaned.get(name) for name in self.changed_data if name in cleaned}
        typed["health"] = cleaned.get("health")
        errors = {
            **rules.unsaved_values_errors("child", typed),
            **rules.signoff_errors(cleaned, timezone.localdate()),
            **errors,
        }
        for field, error in errors.items():
            if field not in self.errors and field in self.fields:
                self.add_error(field, error)
        if cleaned.get("health") != "disabled":
            cleaned["disability_category"], cleaned["disability_grade"] = "", None
        self._find_possible_duplicates(cleaned)
        return cleaned

    def _find_possible_duplicates(self, cleaned):
        """Same birth date and the same or similar name (same pinyin: 张伟 / 张玮)."""
        name, birth_date = cleaned.get("name"), cleaned.get("birth_date")
        if not name or not birth_date or cleaned.get("confirm_not_duplicate"):
            return
        full, initials = pinyin_of(name)
        similar = Q(name=name) | Q(name_pinyin=full)
        if len(name) >= 2:
            similar |= Q(name_initials=initials, name__startswith=name[0])
        matches = (
            Child.objects.filter(birth_date=birth_date)
            .filter(similar)
            .exclude(pk=self.instance.pk)
            .select_related("area")[:5]
        )
        visible = set(
            Child.objects.visible_to(self.actor)
            .filter(pk__in=[m.pk for m in matches])
            .values_list("pk", flat=True)
        )
        # Children outside the user's jurisdiction are only counted, never named.
        self.possible_duplicates = [
            {"name": m.name, "village": m.area.name, "pk": m.pk} for m in matches if m.pk in visible
        ]
        hidden = len(matches) - len(self.possible_duplicates)
        if hidden:
            self.possible_duplicates.append(
                {"name": None, "village": None, "pk": None, "hidden": hidden}
            )
        if self.possible_duplicates:
            self.add_error(
                "confirm_not_duplicate",
                _(
                    "A child with the same birth date and a similar name is already registered. "
                    "Check the list above; if this is a different child, tick the box and save."
                ),
            )

    def id_number_to_save(self):
        """The number to store: services.KEEP when this user may not change it, else the
        cleaned number or None (no number)."""
        if self.fields["id_number"].disabled:
            return KEEP
        return self.cleaned_data["id_number"] or None

    def grandparents(self) -> dict:
        data = {}
        for name, _label in GRANDPARENTS:
            gp_name = self.cleaned_data.get(f"{name}_name")
            gp_birth = self.cleaned_data.get(f"{name}_birth")
            if gp_name or gp_birth:
                data[name] = {
                    "name": gp_name or "",
                    "birth_date": gp_birth.isoformat() if gp_birth else "",
                }
        return data

    def child_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields}
        data["grandparents"] = self.grandparents()
        return data


def require_when(form, control: str, values, *names, asked=False):
    """Mark fields the page shows as required (or, `asked`, as asked for) while another
    field has one of `values`; core/static/core/forms.js toggles the mark before saving,
    and the form's clean enforces it."""
    values = [values] if isinstance(values, str) else list(values)
    rule = f"{form.add_prefix(control)}={','.join(values)}"
    for name in names:
        attrs = form.fields[name].widget.attrs
        attrs["data-required-when"] = rule
        if asked:
            attrs["data-asked"] = "1"


def family_id_field(form, actor) -> None:
    """Add a family member's identity number to a parent's or caregiver's form, as the
    child's form has it: the full number to edit for roles that see full numbers, masked
    and unchangeable for the others (and when no configured key reads the stored one)."""
    form.fields["id_number"] = forms.CharField(
        label=_("identity number"),
        required=False,
        max_length=30,
        help_text=_("18 characters, from the identity card or the household register."),
    )
    form.fields["id_number"].widget.attrs["autocomplete"] = "off"
    names = list(form.fields)  # shown after the birth date, as on the form
    form.order_fields([*names[: names.index("birth_date") + 1], "id_number"])
    instance = form.instance
    if not (instance.pk and instance.id_cipher):
        return
    number = instance.id_number
    if not getattr(actor, "sees_full_id", False) or getattr(number, "unreadable", False):
        form.fields["id_number"].disabled = True
        form.initial["id_number"] = instance.id_masked
        if getattr(number, "unreadable", False):
            form.fields["id_number"].help_text = number
    elif not form.is_bound:
        form.initial["id_number"] = number


def clean_family_id(form, cleaned: dict, sex: str | None) -> None:
    """Check a family member's identity number (rules.family_id_errors) against the birth
    date and the sex the role implies; an empty birth date is taken from the number."""
    if form.fields["id_number"].disabled:
        return
    number = idnumber.normalize(cleaned.get("id_number") or "")
    cleaned["id_number"] = number
    if not number:
        return
    parsed, errors = rules.family_id_errors(number, cleaned.get("birth_date"), sex)
    for field, error in errors.items():
        if field not in form.errors:
            form.add_error(field, error)
    if parsed is not None:
        cleaned["id_number"] = parsed.number
        if not cleaned.get("birth_date") and "birth_date" not in form.errors:
            cleaned["birth_date"] = parsed.birth_date


def family_id_to_save(form):
    """services.KEEP when the number may not be changed here, else the number or None."""
    if form.fields["id_number"].disabled:
        return KEEP
    return form.cleaned_data.get("id_number") or None


class ParentForm(forms.ModelForm):
    """A parent: status with a since date, where they work, how to reach them, and the
    identity number (validated and stored as the child's)."""

    class Meta:
        model = Parent
        fields = list(Parent.RECORDED_FIELDS)
        widgets = contact_widgets("birth_date", "status_since", "last_return")

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        family_id_field(self, actor)
        self.fields["status"].required = True
        for name in ("birth_date", "status_since", "last_return"):
            self.fields[name].validators.append(not_in_future)
        self.fields["status_since"].help_text = rules.SINCE_ASKED
        require_when(self, "status", ParentStatus.MIGRANT, "work_province")
        require_when(self, "status", ParentStatus.DISABLED, "disability_category")
        require_when(self, "status", ParentStatus.DISABLED, "disability_grade")
        require_when(
            self,
            "status",
            [ParentStatus.IMPRISONED, ParentStatus.LOST_CONTACT],
            "status_since",
            asked=True,
        )

    def clean(self):
        cleaned = super().clean()
        if "status" not in self.errors:
            status = cleaned.get("status")
            typed = {name: cleaned.get(name) for name in self.changed_data if name in cleaned}
            typed["status"] = status
            errors = {
                **rules.unsaved_values_errors("parent", typed),
                **rules.parent_errors(
                    status,
                    cleaned.get("work_province"),
                    cleaned.get("disability_category"),
                    cleaned.get("disability_grade"),
                ),
            }
            for field, error in errors.items():
                if field not in self.errors:
                    self.add_error(field, error)
        if cleaned.get("status") != ParentStatus.MIGRANT:
            cleaned["work_province"], cleaned["work_city"] = "", ""
        if cleaned.get("status") != ParentStatus.DISABLED:
            cleaned["disability_category"], cleaned["disability_grade"] = "", None
        role = self.instance.role or self.prefix
        sex = {ParentRole.FATHER: "M", ParentRole.MOTHER: "F"}.get(role)
        clean_family_id(self, cleaned, sex)
        return cleaned

    def data_dict(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields}
        data["id_number"] = family_id_to_save(self)
        return data


class CaregiverForm(forms.ModelForm):
    """The entrusted caregiver (受委托监护人); optional when a parent is at home.

    The section is saved when it is filled in (a name, a relationship, anything typed):
    nothing typed is dropped. A section started but incomplete is refused at the section
    with the reason. An existing caregiver is removed with the "remove" box (or by
    clearing every field)."""

    remove = forms.BooleanField(
        label=_("Remove the caregiver (no longer entrusted)"), required=False
    )

    class Meta:
        model = Caregiver
        fields = list(Caregiver.RECORDED_FIELDS)
        widgets = contact_widgets(
            "birth_date", "agreement_date", "notice_school_date", "notice_village_date"
        )

    SECTION = "caregiver"
    # What the section holds: the model's recorded fields and the identity number.
    SECTION_FIELDS = (*Caregiver.RECORDED_FIELDS, "id_number")

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["remove"]
        for name in ("agreement_date", "notice_school_date", "notice_village_date"):
            self.fields[name].validators.append(not_in_future)
        family_id_field(self, actor)
        self.fields["relationship_detail"].help_text = _(
            "For another relative: the relation in words (uncle, aunt, elder brother …)."
        )
        self.fields["age"].help_text = _("Computed from the birth date when it is given.")
        section = self.prefix or self.SECTION  # the page's name for the section
        for name in self.SECTION_FIELDS:
            field = self.fields[name]
            field.required = False  # required once the section is started (clean)
            field.widget.attrs["data-section"] = section
            if name == "id_number":
                continue
            default = Caregiver._meta.get_field(name).get_default()
            if default not in (None, ""):
                field.widget.attrs["data-default"] = default
        for name in ("name", "relationship", "assessment"):
            self.fields[name].widget.attrs["data-required-with"] = section

    def started(self) -> bool:
        """Something was typed into the section (a select left at its default is not)."""
        for name in self.SECTION_FIELDS:
            field = self.fields[name]
            if field.disabled:
                continue
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            default = "" if name == "id_number" else Caregiver._meta.get_field(name).get_default()
            if raw not in (None, "", []) and str(raw).strip() and raw != default:
                return True
        return False

    def removing(self) -> bool:
        return "remove" in self.fields and bool(
            self.fields["remove"].widget.value_from_datadict(
                self.data, self.files, self.add_prefix("remove")
            )
        )

    def full_clean(self):
        super().full_clean()
        if self.is_bound and (self.removing() or not self.started()):
            self._errors.clear()  # nothing to save: no caregiver (or removed)

    def clean(self):
        cleaned = super().clean()
        if self.started() and not self.removing():
            clean_family_id(self, cleaned, RELATIONSHIP_SEX.get(cleaned.get("relationship")))
            errors = {
                **rules.caregiver_errors(
                    cleaned.get("name"), cleaned.get("relationship"), cleaned.get("assessment")
                ),
                **rules.caregiver_birth_errors(cleaned.get("birth_date"), timezone.localdate()),
            }
            for field, error in errors.items():
                if field not in self.errors:
                    self.add_error(field, error)
        return cleaned

    def _post_clean(self):
        if self.started() and not self.removing():
            super()._post_clean()

    def data_dict(self):
        """{} removes the caregiver (or records none); a dict of fields saves one."""
        if self.removing() or not self.started():
            return {}
        data = {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields}
        data["id_number"] = family_id_to_save(self)
        return data


class CloseForm(forms.Form):
    # A merge closes a record by itself (registry.services.merge), never this form.
    reason = forms.ChoiceField(
        label=_("reason for closing"),
        choices=[c for c in CloseReason.choices if c[0] != CloseReason.MERGED],
    )
    on = forms.DateField(
        label=_("closed on"), widget=DATE, initial=dt.date.today, validators=[not_in_future]
    )
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class CareLevelForm(forms.Form):
    level = forms.ChoiceField(
        label=_("care level"),
        required=False,
        choices=[("", _("as computed from the facts"))] + list(CareLevel.choices),
    )
    reason = forms.CharField(
        label=_("written reason"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("level") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", rules.CARE_LEVEL_REASON)
        return cleaned


class TransferForm(forms.Form):
    """The village a child moves to: one of the county's, or another county's by its code
    (a handover the receiving county accepts, registry.services.hand_over)."""

    to_area = forms.ModelChoiceField(
        queryset=Area.objects.none(), label=_("to village"), required=False
    )
    to_code = forms.CharField(
        label=_("or the code of a village in another county"),
        required=False,
        max_length=12,
        help_text=_(
            "The 12-digit statistical code of the village: the receiving county accepts "
            "or declines the handover."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    reason = forms.CharField(label=_("reason"), required=False, max_length=300)

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        county = child.area.code[:6]  # any village of the same county
        self.fields["to_area"].queryset = (
            Area.objects.villages()
            .filter(code__startswith=county)
            .exclude(pk=child.area_id)
            .select_related("parent")
            .order_by("code")
        )
        self.fields["to_area"].label_from_instance = lambda a: f"{a.parent.name} {a.name}"

    def clean(self):
        cleaned = super().clean()
        code = (cleaned.get("to_code") or "").strip()
        if code:
            if cleaned.get("to_area"):
                self.add_error(
                    "to_code", _("Choose a village of the county or give a code, not both.")
                )
                return cleaned
            village = Area.objects.villages().filter(code=code).first()
            if village is None:
                self.add_error("to_code", _("No village has this code."))
            elif village.pk == self.child.area_id:
                self.add_error("to_code", _("The child lives in this village already."))
            else:
                cleaned["to_area"] = village
        elif not cleaned.get("to_area") and "to_area" not in self.errors:
            self.add_error("to_area", rules.REQUIRED)
        return cleaned


class ImportForm(forms.Form):
    """An .xlsx roster to check (nothing is saved until the check passes and you confirm).

    The file is measured before anything parses it (core.uploads.check_xlsx): a refused
    file is a form error, and no job is made.
    """

    file = forms.FileField(
        label=_("roster file (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )

    def __init__(self, *args, refused_upload=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The upload handler stopped reading the file (too large): it is not in FILES.
        self.refused_upload = refused_upload
        if refused_upload:
            self.fields["file"].required = False
        self.refusal_code = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if self.refused_upload:
            self.refusal_code = "size"
            raise ValidationError(
                _("The file is larger than %(limit)s MB; split it by township.")
                % {"limit": self.refused_upload["limit"] // (1024 * 1024)},
                code="size",
            )
        if not upload.name.lower().endswith(".xlsx"):
            self.refusal_code = "type"
            raise ValidationError(
                _(
                    "Upload an Excel workbook (.xlsx). In WPS or LibreOffice: "
                    "Save as → Excel 2007-365 (.xlsx)."
                ),
                code="type",
            )
        try:
            check_xlsx(upload)
        except UploadRefused as refused:  # an Invalid: the form shows it beside the file
            self.refusal_code = refused.code
            raise
        return upload


def _optional_choice(label, choices) -> forms.ChoiceField:
    """A choice that may be left empty (the empty choice first)."""
    return forms.ChoiceField(
        label=label, choices=[("", "---------"), *choices.choices], required=False
    )


def _optional_text(label, max_length: int, help_text) -> forms.CharField:
    """A line of text that may be left empty."""
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=help_text)


class BasisForm(forms.Form):
    """The legal basis for processing the child's data (PIPL art. 13, 31): on the child's
    page, and optional on the registration page (`optional=True`: left empty, nothing is
    recorded and the child shows in the gap report)."""

    processing_basis = _optional_choice(_("legal basis for processing"), ProcessingBasis)
    basis_on = forms.DateField(
        label=_("date of consent or decision"),
        required=False,
        widget=DATE,
        validators=[not_in_future],
    )
    basis_law = _optional_text(
        _("law or decision relied on"),
        200,
        _("For a statutory duty: the law, regulation or decision that sets it."),
    )
    consent_by = _optional_text(
        _("consent given by"),
        50,
        _("For a consent: the name of the parent or guardian who gave it."),
    )
    consent_relationship = _optional_choice(_("relation to the child"), ConsentGiver)
    basis_note = _optional_text(
        _("where the record is kept"),
        200,
        _("For example: the signed consent form in the children's home's file."),
    )

    def __init__(self, *args, birth_date=None, child_form=None, optional=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.birth_date, self.child_form, self.optional = birth_date, child_form, optional

    def is_empty(self) -> bool:
        return not any(self.cleaned_data.get(name) for name in rules.BASIS_FIELDS)

    def clean(self):
        cleaned = super().clean()
        if self.errors or (self.optional and self.is_empty()):
            return cleaned
        birth_date = self.birth_date
        if birth_date is None and self.child_form is not None and self.child_form.is_valid():
            birth_date = self.child_form.cleaned_data.get("birth_date")
        today = timezone.localdate()
        for name, error in rules.basis_errors(cleaned, birth_date or dt.date.min, today).items():
            self.add_error(name, error)
        return cleaned

    def basis_data(self) -> dict | None:
        """The basis to record, or None when an optional form was left empty."""
        if self.optional and self.is_empty():
            return None
        return {name: self.cleaned_data.get(name) for name in rules.BASIS_FIELDS}


class ExportForm(forms.Form):
    """What an export asks: its purpose, and (for roles that see them) whether identity
    numbers are written in full. The leader and helpers are never offered full numbers."""

    purpose = forms.CharField(
        label=_("purpose of the export"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "What the file is for and who receives it. Required for full identity numbers."
        ),
    )
    full_id = forms.BooleanField(
        label=_("full identity numbers"),
        required=False,
        help_text=_(
            "Only when the work needs them (an application for relief, a report to the "
            "police). Otherwise numbers are masked."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not getattr(user, "sees_full_id", False):
            del self.fields["full_id"]  # a leader's full_id=on is ignored: masked

    def clean(self):
        data = super().clean()
        data["purpose"] = (data.get("purpose") or "").strip()
        if data.get("full_id") and not data["purpose"]:
            self.add_error(
                "purpose",
                _("Write what the full identity numbers are needed for."),
            )
        return data
