"""Forms of the child registry: the child, the parents, the caregiver, and lifecycle steps."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core import idnumber
from core.concurrency import VersionedForm

from . import rules
from .choices import CareLevel, CloseReason, IncomeSource, ParentStatus
from .models import Caregiver, Child, Parent
from .names import pinyin_of

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
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
        widgets = {"birth_date": DATE}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        villages = Area.objects.visible_to(actor).villages().select_related("parent")
        self.fields["area"].queryset = villages
        self.fields["area"].label_from_instance = lambda a: f"{a.parent.name} {a.name}"
        if villages.count() == 1:
            self.fields["area"].initial = villages.first()
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

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        error = rules.birth_date_errors(birth_date, timezone.localdate())
        if error:
            raise error
        return birth_date

    def clean_id_number(self):
        if self.fields["id_number"].disabled:
            return None
        value = idnumber.normalize(self.cleaned_data.get("id_number", ""))
        if not value:
            return ""
        parsed = idnumber.parse(value)
        holder = Child.objects.with_id_number(parsed.number).exclude(pk=self.instance.pk)
        holder = holder.select_related("area").first()
        if holder is not None:
            if Child.objects.visible_to(self.actor).filter(pk=holder.pk).exists():
                raise ValidationError(
                    _("This identity number is already registered: %(name)s in %(village)s."),
                    code="duplicate",
                    params={"name": holder.name, "village": holder.area.name},
                )
            raise ValidationError(
                _(
                    "This identity number is already registered in another jurisdiction. "
                    "Contact the county civil affairs bureau."
                ),
                code="duplicate",
            )
        self.parsed_id = parsed
        return parsed.number

    def clean(self):
        cleaned = super().clean()
        if self.errors.get("__all__"):  # stale: nothing else matters
            return cleaned
        parsed = getattr(self, "parsed_id", None)
        if parsed:
            for field, error in idnumber.cross_check(
                parsed, cleaned.get("birth_date"), cleaned.get("sex")
            ).items():
                if field not in self.errors:
                    self.add_error(field, error)
        health = cleaned.get("health")
        for field, error in rules.health_errors(
            health, cleaned.get("disability_category"), cleaned.get("illness")
        ).items():
            self.add_error(field, error)
        if health != "disabled":
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
        from .services import KEEP

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


class ParentForm(forms.ModelForm):
    """A parent: status with a since date, where they work, how to reach them."""

    class Meta:
        model = Parent
        fields = list(Parent.RECORDED_FIELDS)
        widgets = {
            "birth_date": DATE,
            "status_since": DATE,
            "last_return": DATE,
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].required = True
        for name in ("birth_date", "status_since", "last_return"):
            self.fields[name].validators.append(not_in_future)

    def clean(self):
        cleaned = super().clean()
        if "status" not in self.errors:
            for field, error in rules.parent_errors(
                cleaned.get("status"), cleaned.get("work_province")
            ).items():
                self.add_error(field, error)
        if cleaned.get("status") != ParentStatus.MIGRANT:
            cleaned["work_province"], cleaned["work_city"] = "", ""
        return cleaned

    def data_dict(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields}


class CaregiverForm(forms.ModelForm):
    """The entrusted caregiver (受委托监护人); optional when a parent is at home."""

    has_caregiver = forms.BooleanField(
        label=_("The parents entrusted the child to a caregiver"), required=False
    )

    class Meta:
        model = Caregiver
        fields = list(Caregiver.RECORDED_FIELDS)
        widgets = {
            "agreement_date": DATE,
            "notice_school_date": DATE,
            "notice_village_date": DATE,
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["has_caregiver"].initial = bool(self.instance.pk)
        for name in ("agreement_date", "notice_school_date", "notice_village_date"):
            self.fields[name].validators.append(not_in_future)
        if self.is_bound and not self.data.get(self.add_prefix("has_caregiver")):
            for field in self.fields.values():  # no caregiver: nothing else is required
                field.required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_caregiver"):
            for field, error in rules.caregiver_errors(
                cleaned.get("name"), cleaned.get("relationship"), cleaned.get("assessment")
            ).items():
                if field not in self.errors:
                    self.add_error(field, error)
        else:
            self.errors.clear()
        return cleaned

    def _post_clean(self):
        if self.cleaned_data.get("has_caregiver"):
            super()._post_clean()

    def data_dict(self):
        """{} removes the caregiver; a dict of fields saves one."""
        if not self.cleaned_data.get("has_caregiver"):
            return {}
        return {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields}


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("reason for closing"), choices=CloseReason.choices)
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
            self.add_error("reason", _("Setting the care level by hand needs a written reason."))
        return cleaned


class TransferForm(forms.Form):
    to_area = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("to village"))
    reason = forms.CharField(label=_("reason"), required=False, max_length=300)

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        county = child.area.code[:6]  # any village of the same county
        self.fields["to_area"].queryset = (
            Area.objects.villages()
            .filter(code__startswith=county)
            .exclude(pk=child.area_id)
            .select_related("parent")
            .order_by("code")
        )
        self.fields["to_area"].label_from_instance = lambda a: f"{a.parent.name} {a.name}"


class ImportForm(forms.Form):
    """An .xlsx roster to check (nothing is saved until the check passes and you confirm)."""

    MAX_BYTES = 20 * 1024 * 1024

    file = forms.FileField(
        label=_("roster file (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(
                _(
                    "Upload an Excel workbook (.xlsx). In WPS or LibreOffice: "
                    "Save as → Excel 2007-365 (.xlsx)."
                ),
                code="type",
            )
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("The file is larger than 20 MB; split it."), code="size")
        return upload
