from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import ServicePoint
from children.models import Child
from core.forms import PhotosField, PickList, VersionedForm
from people.models import User
from people.roles import Role

from .models import Activity, Assessment, Visit
from .services import ACTIVITY_ENTRY_FIELDS, VISIT_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VisitForm(VersionedForm):
    """A visit record: every concern or urgent assessment needs a note."""

    referrals = forms.MultipleChoiceField(
        label=_("referrals"),
        required=False,
        choices=Visit.Referral.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    photos = PhotosField()

    class Meta:
        model = Visit
        fields = VISIT_FIELDS
        widgets = {
            "visited_on": DATE,
            "follow_up_on": DATE,
            "problems": forms.Textarea(attrs={"rows": 2}),
            "actions": forms.Textarea(attrs={"rows": 2}),
            **{f"{a}": forms.RadioSelect for a in Visit.ASPECTS},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["photos"]  # photos come with a new visit (a correction keeps them)
        else:
            self.initial.setdefault("visited_on", timezone.localdate())

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise ValidationError(_("A visit cannot be recorded before it happens."), code="future")
        return day

    def clean(self):
        cleaned = super().clean()
        for aspect in Visit.ASPECTS:
            if (
                cleaned.get(aspect) in (Assessment.CONCERN, Assessment.URGENT)
                and not (cleaned.get(f"{aspect}_note") or "").strip()
            ):
                self.add_error(f"{aspect}_note", _("Say what the concern is: a note is required."))
        follow_up, day = cleaned.get("follow_up_on"), cleaned.get("visited_on")
        if follow_up and day and follow_up < day:
            self.add_error("follow_up_on", _("The follow-up cannot be before the visit."))
        return cleaned

    def visit_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in VISIT_FIELDS}


def helpers_for(homes, home_pk):
    """Volunteer and social-worker accounts bound to the home's village or an area above it."""
    home = homes.filter(pk=home_pk).first() if home_pk else None
    if home is None:
        return User.objects.none()
    codes = [*home.area.ancestor_codes(), home.area.code]
    return User.objects.filter(
        role__in=[Role.VOLUNTEER, Role.SOCIAL_WORKER], is_active=True, area__code__in=codes
    ).order_by("name")


class ActivityForm(VersionedForm):
    """An activity at a children's home: who came, what it was about. A correction based
    on a stale copy is refused."""

    photos = PhotosField()

    class Meta:
        model = Activity
        fields = ACTIVITY_ENTRY_FIELDS
        widgets = {
            "held_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            # A search and "all present" (forms.js): a village has dozens of children.
            "children": PickList(
                search_text=lambda child: f"{child.name} {child.name_pinyin}",
                all_label=_("All present"),
            ),
            "helper_accounts": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["photos"]
        homes = ServicePoint.objects.visible_to(actor).homes().select_related("area")
        self.fields["home"].queryset = homes
        only_home = homes.first() if homes.count() == 1 else None
        if only_home:
            self.fields["home"].initial = only_home
        # The roster of the home's village: for a director that is their village.
        children = Child.objects.visible_to(actor).active()
        chosen = str(self.data.get("home", ""))
        home = int(chosen) if chosen.isdigit() and len(chosen) < 12 else None
        home = home or (only_home.pk if only_home else None)
        if home:
            children = children.filter(area__service_points=home)
        elif homes.count() > 1:
            children = children.none()
        self.fields["children"].queryset = children.order_by("name_pinyin")
        # Volunteers and social workers who serve the home's village: accounts bound to the
        # village, its township or its county.
        self.fields["helper_accounts"].queryset = helpers_for(homes, home)
        if not self.is_bound:
            self.initial.setdefault("held_on", timezone.localdate())

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day > timezone.localdate():
            raise ValidationError(
                _("An activity cannot be recorded before it happens."), code="future"
            )
        return day

    def activity_parts(self) -> tuple[dict, list, list]:
        """The services' arguments: the activity's own fields, then the children and the
        helpers who came."""
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k in self._meta.fields and k not in ("children", "helper_accounts")
        }
        return data, self.cleaned_data["children"], self.cleaned_data["helper_accounts"]
