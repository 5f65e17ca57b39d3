"""The child registry: a child, the parents, the entrusted caregiver, history and transfers."""

import datetime as dt
import functools
import uuid

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core import crypto, idnumber
from core.history import EMPTY, Change
from core.models import Stamped, user_ref
from core.scoping import ScopedQuerySet, jurisdiction_prefix

from . import policy
from .choices import (
    Assessment,
    CaregiverHealth,
    CareLevel,
    CloseReason,
    Confirmer,
    ConsentGiver,
    Difficulty,
    DisabilityCategory,
    GuardianshipType,
    Health,
    HukouType,
    IncomeSource,
    LeftBehindKind,
    ParentRole,
    ParentStatus,
    ProcessingBasis,
    Relationship,
    Schooling,
    Sex,
    Status,
)
from .policy import concerns as concern_policy


class ChildQuerySet(ScopedQuerySet):
    """Children, scoped by the village they live in."""

    def active(self):
        return self.filter(status=Status.ACTIVE)

    def with_id_number(self, number: str):
        """Look a child up by identity number through its keyed hash (no decryption)."""
        return self.filter(id_hash=crypto.lookup_hash(idnumber.normalize(number)))

    def in_age_band(self, band: str, on: dt.date):
        """Children aged 0–5, 6–13 or 14–15 on a day (the national statistics' bands)."""
        low, high = AGE_BANDS[band]
        # At least `low` years old, and not yet `high + 1`.
        return self.filter(
            birth_date__lte=policy.birthday_cutoff(on, low),
            birth_date__gt=policy.birthday_cutoff(on, high + 1),
        )


AGE_BANDS = {"0-5": (0, 5), "6-13": (6, 13), "14-15": (14, 15), "16-17": (16, 17)}

# Each category of the roster's filter and of the statistics, as a filter on children: one
# definition, so a dashboard's figure and the list behind it agree child for child.
CATEGORY_FILTERS = {
    "left_behind": models.Q(is_left_behind=True),
    "difficulty": models.Q(in_difficulty=True),
    "orphan": models.Q(is_orphan=True),
    "fuc": models.Q(is_fuc=True),
    "poverty": models.Q(difficulty_poverty=True),
    "disability": models.Q(difficulty_disability=True),
    "guardianship": models.Q(difficulty_guardianship=True),
    "ordinary": models.Q(is_left_behind=False, in_difficulty=False, is_orphan=False, is_fuc=False),
    "no_id": models.Q(id_hash__isnull=True),
}


DISABILITY_GRADES = (1, 2, 3, 4)
BAD_DISABILITY_GRADE = _(
    "A disability grade is 1, 2, 3 or 4 (一级 to 四级, as on the disability certificate)."
)


def valid_disability_grade(value):
    """A disability certificate's grade: 1 to 4; the message names the allowed values."""
    if value is not None and value not in DISABILITY_GRADES:
        raise ValidationError(BAD_DISABILITY_GRADE, code="disability_grade")


def disability_certificate():
    """The two fields of a disability certificate (残疾人证), a child's or a parent's: its
    category and its grade (1 to 4)."""
    category = models.CharField(
        _("disability category"), max_length=12, choices=DisabilityCategory.choices, blank=True
    )
    grade = models.PositiveSmallIntegerField(
        _("disability grade"), null=True, blank=True, validators=[valid_disability_grade]
    )
    return category, grade


class FamilyIdNumber(models.Model):
    """A family member's identity number (a parent's, the entrusted caregiver's), kept as the
    child's is: encrypted, found through a keyed hash, shown masked. Not unique: one parent
    is the parent of every sibling."""

    id_cipher = models.TextField(blank=True, editable=False)
    id_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    id_masked = models.CharField(_("identity number"), max_length=18, blank=True, editable=False)

    # Encrypted columns and the lookup-hash column kept beside each (rotate_field_keys).
    encrypted_fields = {"id_cipher": "id_hash"}

    class Meta:
        abstract = True

    def set_id_number(self, number: str | None):
        """Store a (validated) identity number encrypted, hashed and masked; None clears it."""
        if not number:
            self.id_cipher, self.id_hash, self.id_masked = "", "", ""
            return
        number = idnumber.normalize(number)
        self.id_cipher = crypto.encrypt(number)
        self.id_hash = crypto.lookup_hash(number)
        self.id_masked = idnumber.mask(number)

    @property
    def id_number(self) -> str:
        """The full number (decrypted), or `crypto.Unreadable` when no configured key reads
        it. Show it only to roles that see full numbers."""
        return crypto.decrypt_or_unreadable(self.id_cipher) if self.id_cipher else ""


class Child(models.Model):
    """One registered child: the facts of the national form, and their classification."""

    area = models.ForeignKey(
        Area,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="children_registered",
    )
    village_group = models.CharField(_("village group"), max_length=50, blank=True)
    name = models.CharField(_("name"), max_length=50)
    name_pinyin = models.CharField(_("pinyin"), max_length=200, blank=True, db_index=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, blank=True, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("birth date"))
    # Identity number: encrypted; found through a keyed hash; shown masked.
    id_cipher = models.TextField(blank=True, editable=False)
    id_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    id_masked = models.CharField(_("identity number"), max_length=18, blank=True, editable=False)
    hukou_registered = models.BooleanField(_("household registration completed"), default=True)
    hukou_type = models.CharField(
        _("registration type"), max_length=5, choices=HukouType.choices, default=HukouType.RURAL
    )
    hukou_address = models.CharField(_("place of registration"), max_length=200, blank=True)
    address = models.CharField(_("current address"), max_length=200, blank=True)
    health = models.CharField(
        _("health"), max_length=10, choices=Health.choices, default=Health.HEALTHY
    )
    disability_category, disability_grade = disability_certificate()
    illness = models.CharField(_("illness"), max_length=100, blank=True)
    schooling = models.CharField(
        _("schooling"), max_length=20, choices=Schooling.choices, blank=True
    )
    school = models.CharField(_("school"), max_length=100, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    boarding = models.BooleanField(_("boards at school"), default=False)
    income_sources = models.JSONField(_("household income sources"), default=list, blank=True)
    dibao = models.BooleanField(_("minimum living allowance (dibao)"), default=False)
    extreme_poverty = models.BooleanField(_("extreme-poverty support"), default=False)
    low_income = models.BooleanField(_("registered-poor or monitored household"), default=False)
    grandparents = models.JSONField(_("grandparents"), default=dict, blank=True)
    # The rest of the 2016 form: the guardianship type (监护类型), the reporting unit and
    # date, the sign-off chain, and the confirmation by a parent or the entrusted guardian.
    guardianship_type = models.CharField(
        _("guardianship type"), max_length=24, choices=GuardianshipType.choices, blank=True
    )
    reporting_unit = models.CharField(_("reporting unit"), max_length=100, blank=True)
    reported_on = models.DateField(_("reporting date"), null=True, blank=True)
    filled_by = models.CharField(_("filled in by"), max_length=50, blank=True)
    checked_by = models.CharField(_("checked by"), max_length=50, blank=True)
    unit_head = models.CharField(_("head of unit"), max_length=50, blank=True)
    confirmed_by = models.CharField(_("confirmed by (guardian)"), max_length=50, blank=True)
    confirmed_relationship = models.CharField(
        _("confirmed by: relation to the child"),
        max_length=10,
        choices=Confirmer.choices,
        blank=True,
    )
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    siblings = models.ManyToManyField(
        "self", verbose_name=_("registered siblings"), blank=True, symmetrical=True
    )
    # A summary of the open concerns (children.Concern), for lists: written only by the
    # services of children/services/concerns.py. The classification reads the concerns themselves.
    risk = models.CharField(_("open concern"), max_length=200, blank=True)
    # An open concern that must be reported at once (强制报告) whose report is not recorded
    # yet; cleared only by recording the report made (concerns.record_report_made).
    needs_report = models.BooleanField(_("to be reported at once"), default=False, db_index=True)
    report_reason = models.CharField(_("why it must be reported"), max_length=300, blank=True)

    # Classification, computed by policy.classify on every change (never edited by hand).
    is_left_behind = models.BooleanField(_("left behind"), default=False, db_index=True)
    left_behind_kind = models.CharField(
        _("left-behind type"), max_length=10, choices=LeftBehindKind.choices, blank=True
    )
    is_orphan = models.BooleanField(_("orphan"), default=False)
    is_fuc = models.BooleanField(_("de facto unsupported"), default=False)
    # The three kinds of difficulty, as columns so lists and statistics can count them.
    difficulty_poverty = models.BooleanField(_("family poverty"), default=False)
    difficulty_disability = models.BooleanField(_("disability"), default=False)
    difficulty_guardianship = models.BooleanField(
        _("missing or improper guardianship"), default=False
    )
    in_difficulty = models.BooleanField(_("in difficulty"), default=False, db_index=True)
    computed_care_level = models.CharField(
        max_length=10, choices=CareLevel.choices, default=CareLevel.ORDINARY
    )
    care_level = models.CharField(
        _("care level"),
        max_length=10,
        choices=CareLevel.choices,
        default=CareLevel.ORDINARY,
        db_index=True,
    )
    # The day the care level last changed: a child raised to special attention is due from
    # that day, not from a month after a visit that was due yearly.
    care_level_since = models.DateField(_("care level since"), null=True, blank=True)
    care_level_override = models.CharField(
        _("care level set by an officer"), max_length=10, choices=CareLevel.choices, blank=True
    )
    override_reason = models.CharField(_("reason"), max_length=300, blank=True)
    override_by = models.CharField(max_length=150, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    level_reasons = models.JSONField(default=list, blank=True)
    classified_on = models.DateField(null=True, blank=True)

    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    closed_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=CloseReason.choices, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_note = models.CharField(_("note"), max_length=300, blank=True)
    # A second record of the same child, merged into the one kept (registry.services.merge):
    # closed, readable, with its own history; everything else of it moved to the kept record.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
    )
    # The legal basis for processing the child's data (PIPL art. 13, 31): written only by
    # services.record_basis, with history and audit. Empty: a gap (villagefiles/gaps.py).
    processing_basis = models.CharField(
        _("legal basis for processing"),
        max_length=20,
        choices=ProcessingBasis.choices,
        blank=True,
        db_index=True,
    )
    basis_law = models.CharField(_("law or decision relied on"), max_length=200, blank=True)
    basis_on = models.DateField(_("date of consent or decision"), null=True, blank=True)
    consent_by = models.CharField(_("consent given by"), max_length=50, blank=True)
    consent_relationship = models.CharField(
        _("relation to the child"), max_length=10, choices=ConsentGiver.choices, blank=True
    )
    basis_note = models.CharField(_("where the record is kept"), max_length=200, blank=True)
    basis_recorded_by = user_ref(_("recorded by"), blank=True)
    basis_recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ChildQuerySet.as_manager()

    # Encrypted columns and the lookup-hash column kept beside each (rotate_field_keys).
    encrypted_fields = {"id_cipher": "id_hash"}

    # The facts of the national form that people record: one list for the forms, the API,
    # the importer and the history.
    RECORDED_FIELDS = (
        "area",
        "village_group",
        "name",
        "sex",
        "ethnicity",
        "birth_date",
        "hukou_registered",
        "hukou_type",
        "hukou_address",
        "address",
        "health",
        "disability_category",
        "disability_grade",
        "illness",
        "schooling",
        "school",
        "grade",
        "boarding",
        "income_sources",
        "dibao",
        "extreme_poverty",
        "low_income",
        "guardianship_type",
        "reporting_unit",
        "reported_on",
        "filled_by",
        "checked_by",
        "unit_head",
        "confirmed_by",
        "confirmed_relationship",
        "confirmed_on",
    )

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["area__code", "name_pinyin", "id"]
        indexes = [
            models.Index(fields=["area", "status"]),
            models.Index(fields=["birth_date"]),
            # Likely duplicates (registry.duplicates): the county's records grouped by name or
            # pinyin and birth date from the index alone (village included: it is the scope).
            models.Index(fields=["birth_date", "name", "area"], name="children_same_name"),
            models.Index(fields=["birth_date", "name_pinyin", "area"], name="children_same_pinyin"),
            models.Index(fields=["id_masked"]),
        ]

    def __str__(self):
        return self.name

    # -- identity number -------------------------------------------------------------
    def set_id_number(self, number: str | None):
        """Store a (validated) identity number encrypted, hashed and masked; None clears it."""
        if not number:
            self.id_cipher, self.id_hash, self.id_masked = "", None, ""
            return
        number = idnumber.normalize(number)
        self.id_cipher = crypto.encrypt(number)
        self.id_hash = crypto.lookup_hash(number)
        self.id_masked = idnumber.mask(number)

    @property
    def id_number(self) -> str:
        """The full identity number (decrypted). Show it only to roles that need it. When no
        configured key decrypts it, a marker saying so (`crypto.Unreadable`), never an error."""
        return crypto.decrypt_or_unreadable(self.id_cipher) if self.id_cipher else ""

    @property
    def needs_id_follow_up(self) -> bool:
        """Registered without an identity number: the director must follow it up."""
        return not self.id_hash

    # -- age and classification ------------------------------------------------------
    def age_on(self, day: dt.date) -> int:
        return policy.age_on(self.birth_date, day)

    def facts(self, parents=None, caregiver=None) -> policy.Facts:
        """The facts the classification reads; unsaved parents or caregiver may be passed."""
        if parents is None:
            parents = {p.role: p for p in self.parents.all()}
        if caregiver is None:
            caregiver = getattr(self, "caregiver", None) if self.pk else None

        def parent(role):
            p = parents.get(role)
            if p is None:
                return policy.ParentFacts()
            return policy.ParentFacts(
                p.status,
                p.status_since,
                p.work_province,
                p.work_city,
                p.disability_category,
                p.disability_grade,
            )

        return policy.Facts(
            birth_date=self.birth_date,
            hukou_type=self.hukou_type,
            hukou_registered=self.hukou_registered,
            health=self.health,
            disability_category=self.disability_category,
            disability_grade=self.disability_grade,
            illness=self.illness,
            schooling=self.schooling,
            dibao=self.dibao,
            extreme_poverty=self.extreme_poverty,
            low_income=self.low_income,
            father=parent(ParentRole.FATHER),
            mother=parent(ParentRole.MOTHER),
            has_caregiver=caregiver is not None,
            caregiver_health=caregiver.health if caregiver else "",
            caregiver_assessment=caregiver.assessment if caregiver else "",
            guardianship_type=self.guardianship_type,
            open_concerns=self.open_concern_findings(),
            override_level=self.care_level_override,
            override_reason=self.override_reason,
            override_by=self.override_by,
        )

    def open_concern_findings(self) -> tuple:
        """What the open concerns found, oldest first (from a prefetch when there is one)."""
        if not self.pk:
            return ()
        cached = getattr(self, "_prefetched_objects_cache", {}).get("concerns")
        if cached is not None:
            concerns = [c for c in cached if c.state in concern_policy.OPEN_STATES]
            concerns.sort(key=lambda c: (c.opened_on, c.pk))
            return tuple(c.finding for c in concerns)
        return tuple(
            self.concerns.open().order_by("opened_on", "pk").values_list("finding", flat=True)
        )

    def apply_classification(self, result: policy.Classification, on: dt.date):
        """Copy a classification result onto the record's stored columns."""
        self.is_left_behind = result.left_behind
        self.left_behind_kind = result.left_behind_kind
        self.is_orphan, self.is_fuc = result.orphan, result.fuc
        self.difficulty_poverty = Difficulty.POVERTY in result.difficulties
        self.difficulty_disability = Difficulty.DISABILITY in result.difficulties
        self.difficulty_guardianship = Difficulty.GUARDIANSHIP in result.difficulties
        self.in_difficulty = result.in_difficulty
        self.computed_care_level = result.computed_level
        if self.care_level != result.care_level or self.care_level_since is None:
            self.care_level_since = on
        self.care_level = result.care_level
        self.reasons = [list(r) for r in result.reasons]
        self.level_reasons = [list(r) for r in result.level_reasons]
        self.classified_on = on

    @property
    def difficulties(self) -> list[str]:
        """The kinds of difficulty that apply, in the policy's order."""
        return [
            kind
            for kind, flag in (
                (Difficulty.POVERTY, self.difficulty_poverty),
                (Difficulty.DISABILITY, self.difficulty_disability),
                (Difficulty.GUARDIANSHIP, self.difficulty_guardianship),
            )
            if flag
        ]

    @property
    def category_labels(self) -> list[str]:
        """Short labels of the child's categories, for lists."""
        labels = []
        if self.is_left_behind:
            labels.append(_("left behind"))
        if self.is_orphan:
            labels.append(_("orphan"))
        if self.is_fuc:
            labels.append(_("de facto unsupported"))
        labels += [
            Difficulty(d).label
            for d in self.difficulties
            if d != Difficulty.GUARDIANSHIP or not (self.is_orphan or self.is_fuc)
        ]
        return labels


def pointing_at_child() -> list:
    """Every relation of another record to a child (foreign keys, one-to-ones and lists,
    hidden ones included), as Django describes them: what a merge of two records of one child
    moves or keeps (registry.services.merge), found whatever app adds one."""
    return [
        relation
        for relation in Child._meta.get_fields(include_hidden=True)
        if relation.is_relation and relation.auto_created and not relation.concrete
    ]


def id_numbers_unique() -> bool:
    """Whether the database holds each identity number once (a second one is refused)."""
    return Child._meta.get_field("id_hash").unique


def child_ref(related_name: str, **kwargs) -> models.ForeignKey:
    """The child a record is kept for (a visit, a relief measure, a concern): a child with
    records is closed, never deleted (PROTECT)."""
    return models.ForeignKey(
        Child,
        verbose_name=_("child"),
        on_delete=models.PROTECT,
        related_name=related_name,
        **kwargs,
    )


class Parent(FamilyIdNumber):
    """The child's father or mother, with their status and where they work."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="parents")
    role = models.CharField(_("role"), max_length=6, choices=ParentRole.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=ParentStatus.choices, blank=True)
    status_since = models.DateField(_("since"), null=True, blank=True)
    # A disabled parent's certificate: whether the disability is severe (重残) is computed
    # from these two (policy.severely_disabled), not chosen by the officer.
    disability_category, disability_grade = disability_certificate()
    work_province = models.CharField(_("work province"), max_length=30, blank=True)
    work_city = models.CharField(_("work city"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    last_return = models.DateField(_("last return home"), null=True, blank=True)

    RECORDED_FIELDS = (
        "name",
        "birth_date",
        "status",
        "status_since",
        "disability_category",
        "disability_grade",
        "work_province",
        "work_city",
        "phone",
        "last_return",
    )

    class Meta:
        verbose_name = _("parent")
        verbose_name_plural = _("parents")
        constraints = [
            models.UniqueConstraint(fields=["child", "role"], name="one_parent_per_role")
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.name}"


class Caregiver(FamilyIdNumber):
    """The person the parents entrusted with the child's care (受委托监护人)."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="caregiver")
    name = models.CharField(_("name"), max_length=50)
    relationship = models.CharField(_("relationship"), max_length=24, choices=Relationship.choices)
    # Another relative's relation in words (叔叔, 姑妈, 哥哥 …), as the form writes it.
    relationship_detail = models.CharField(_("relation, in words"), max_length=20, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    age = models.PositiveSmallIntegerField(
        _("age"), null=True, blank=True, validators=[MinValueValidator(16), MaxValueValidator(110)]
    )
    health = models.CharField(
        _("health"), max_length=10, choices=CaregiverHealth.choices, default=CaregiverHealth.HEALTHY
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    assessment = models.CharField(
        _("guardianship assessment"),
        max_length=4,
        choices=Assessment.choices,
        default=Assessment.FAIR,
    )
    agreement_date = models.DateField(_("entrustment agreement signed"), null=True, blank=True)
    notice_school_date = models.DateField(_("written notice to school"), null=True, blank=True)
    notice_village_date = models.DateField(_("written notice to village"), null=True, blank=True)

    RECORDED_FIELDS = (
        "name",
        "relationship",
        "relationship_detail",
        "birth_date",
        "age",
        "health",
        "phone",
        "address",
        "assessment",
        "agreement_date",
        "notice_school_date",
        "notice_village_date",
    )

    class Meta:
        verbose_name = _("entrusted caregiver")
        verbose_name_plural = _("entrusted caregivers")

    def __str__(self):
        return self.name

    def clean(self):
        # With a birth date the age is computed from it, so the two never disagree.
        if self.birth_date:
            self.age = policy.age_on(self.birth_date, timezone.localdate())


class ChildChange(Change):
    """One change to a child's record, with the field-level before/after (never edited).

    Keys name a child's field, a parent's ("father.name") or the caregiver's
    ("caregiver.phone")."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("registered")
        UPDATED = "updated", _("updated")
        RECLASSIFIED = "reclassified", _("reclassified")
        OVERRIDDEN = "overridden", _("care level set")
        CLOSED = "closed", _("closed")
        REOPENED = "reopened", _("reopened")
        TRANSFERRED = "transferred", _("transferred")
        IMPORTED = "imported", _("imported")
        BASIS = "basis", _("legal basis recorded")
        MERGED = "merged", _("merged")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("change"), max_length=14, choices=Kind.choices)

    record_model = Child
    # The models a key's prefix names, and labels of keys that are no model field.
    PREFIXED_MODELS = {"father": Parent, "mother": Parent, "caregiver": Caregiver}
    EXTRA_LABELS = {"id_number": _("identity number"), "area": _("village")}

    class Meta(Change.Meta):
        verbose_name = _("change to a child's record")
        verbose_name_plural = _("history")

    def __str__(self):
        return f"{self.child} {self.get_kind_display()} {self.at:%Y-%m-%d}"

    @classmethod
    def field(cls, key):
        prefix, _dot, name = key.rpartition(".")
        model = cls.PREFIXED_MODELS.get(prefix, Child)
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:  # a key that is not a model field (e.g. id_number)
            return None

    @classmethod
    def label(cls, key) -> str:
        # Written once per key and language: a child's history repeats the same few keys,
        # and each label is a field lookup and a translation (bench/README.md).
        return _change_label(cls, key, get_language())

    @classmethod
    def _label(cls, key) -> str:
        prefix, _dot, name = key.rpartition(".")
        field = cls.field(key)
        label = field.verbose_name if field is not None else cls.EXTRA_LABELS.get(name, name)
        if prefix in ParentRole.values:
            return f"{ParentRole(prefix).label} · {label}"
        if prefix == "caregiver":
            return f"{Caregiver._meta.verbose_name} · {label}"
        return str(label)

    @classmethod
    def shown(cls, key, value) -> str:
        if isinstance(value, list) and key == "income_sources":
            value = [IncomeSource(v).label if v in IncomeSource.values else v for v in value]
        if isinstance(value, dict):  # the grandparents
            shown = "; ".join(
                f"{v.get('name', '')} {v.get('birth_date', '')}".strip()
                for v in value.values()
                if isinstance(v, dict)
            )
            return shown or EMPTY
        return super().shown(key, value)


@functools.lru_cache(maxsize=2048)
def _change_label(history, key: str, language: str | None) -> str:
    """ChildChange.label's text of `key` in `language` (the active one, which it is written in)."""
    return history._label(key)


class TransferQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Transfers either township can see: the one handing over and the one receiving."""
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return self.none()
        return self.filter(
            models.Q(from_area__code__startswith=prefix)
            | models.Q(to_area__code__startswith=prefix)
        )


class Transfer(models.Model):
    """A child moving to another village: the handover. Within the county it is done at
    once; to another county it waits for the receiving county to accept it (registry app)."""

    class State(models.TextChoices):
        DONE = "done", _("done")
        PENDING = "pending", _("waiting for the receiving county")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="transfers")
    from_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    to_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    actor = user_ref()
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.DONE, db_index=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = user_ref(_("decided by"), blank=True, related_name="+")
    decline_reason = models.CharField(_("why it was declined"), max_length=300, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.child}: {self.from_area} → {self.to_area}"


class ImportJobQuerySet(ScopedQuerySet):
    """Import jobs, scoped by the area of the account that uploaded them."""


# The states of an import that is still at work (one at a time per user).
RUNNING_IMPORT_STATES = ("queued", "checking", "saving")


class ImportJob(models.Model):
    """An uploaded roster: checked row by row, then applied all at once or not at all."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        CHECKING = "checking", _("checking")
        INVALID = "invalid", _("errors found: nothing saved")
        VALID = "valid", _("checked: ready to save")
        SAVING = "saving", _("saving")
        SAVED = "saved", _("saved")
        FAILED = "failed", _("failed: nothing saved")
        EXPIRED = "expired", _("not saved within a day: upload it again")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    # The uploaded file, encrypted (it holds identity numbers); emptied when the job ends.
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    checked_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    saved_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set whenever the job moves (state, progress): a running job not moved for
    # settings.IMPORT_STALE_AFTER_MINUTES was cut off with its process.
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ImportJobQuerySet.as_manager()

    encrypted_fields = {"content": None}  # rotate_field_keys re-encrypts it

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]
        constraints = [
            # One import at a time per user, held by the database across every worker.
            models.UniqueConstraint(
                fields=["created_by"],
                condition=models.Q(state__in=RUNNING_IMPORT_STATES),
                name="children_one_running_import_per_user",
            )
        ]

    def __str__(self):
        return self.filename

    @property
    def percent(self) -> int:
        return int(100 * self.checked_rows / self.total_rows) if self.total_rows else 0

    @property
    def running(self) -> bool:
        return self.state in RUNNING_IMPORT_STATES


class ConcernQuerySet(ScopedQuerySet):
    """Concerns, scoped by the village of the child (a transferred child's concerns follow
    the child)."""

    scope_field = "child__area__code"

    def open(self):
        return self.filter(state__in=concern_policy.OPEN_STATES)

    def overdue(self, today: dt.date):
        return self.open().filter(due_on__lt=today)


class Concern(Stamped):
    """A concern about a child (a visit's finding, a report of concern, a change in the
    child's situation): who owns it, by when it must be closed, and how it ended. Its steps
    are in concern_policy; the services in children/services/concerns.py are the only writers."""

    class Source(models.TextChoices):
        VISIT = "visit", _("visit")
        REPORT = "report", _("report of concern")
        CHANGE = "change", _("change in the child's situation")
        MIGRATED = "migrated", _("carried over from the former flag")

    class Urgency(models.TextChoices):
        CONCERN = concern_policy.URGENCY_CONCERN, _("concern")
        URGENT = concern_policy.URGENCY_URGENT, _("urgent")

    class State(models.TextChoices):
        OPEN = concern_policy.State.OPEN, concern_policy.STATE_LABELS["open"]
        ACTION_TAKEN = (
            concern_policy.State.ACTION_TAKEN,
            concern_policy.STATE_LABELS["action_taken"],
        )
        AWAITING = (
            concern_policy.State.AWAITING,
            concern_policy.STATE_LABELS["awaiting_confirmation"],
        )
        RESOLVED = concern_policy.State.RESOLVED, concern_policy.STATE_LABELS["resolved"]
        REFERRED = concern_policy.State.REFERRED, concern_policy.STATE_LABELS["referred"]

    child = child_ref("concerns")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    # The pk of the visit, report of concern or change event it came from.
    source_ref = models.PositiveIntegerField(_("source record"), null=True, blank=True)
    finding = models.CharField(_("what was found"), max_length=500)
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.CONCERN
    )
    safety = models.BooleanField(_("safety concern"), default=False)
    owner = user_ref(_("owner"), blank=True, related_name="owned_concerns")
    opened_on = models.DateField(_("opened on"), db_index=True)
    opened_by = user_ref(blank=True)
    due_on = models.DateField(_("due by"), db_index=True)
    state = models.CharField(
        _("state"), max_length=22, choices=State.choices, default=State.OPEN, db_index=True
    )
    # What resolving or referring it proposes, while it awaits the supervisor's confirmation.
    proposed_state = models.CharField(max_length=22, choices=State.choices, blank=True)
    proposed_on = models.DateField(null=True, blank=True)
    proposed_by = user_ref(blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    # 强制报告: must be reported at once; the report made clears it.
    must_report = models.BooleanField(_("to be reported at once"), default=False)
    report_reason = models.CharField(_("why it must be reported"), max_length=300, blank=True)
    reported_to = models.CharField(_("reported to"), max_length=200, blank=True)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    report_reference = models.CharField(_("case reference"), max_length=100, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = user_ref(blank=True)
    confirmed_by = user_ref(blank=True)
    escalated_on = models.DateField(_("escalated"), null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["opened_on", "pk"]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self):
        return f"#{self.pk}"  # the finding stays out of the audit log's object names

    @property
    def is_open(self) -> bool:
        return self.state in concern_policy.OPEN_STATES

    @property
    def report_pending(self) -> bool:
        """Must be reported at once and the report made is not recorded yet."""
        return self.must_report and self.reported_on is None

    @property
    def needs_confirmation(self) -> bool:
        return concern_policy.needs_confirmation(self.urgency, self.safety)

    def age_days(self, today: dt.date) -> int:
        """Days since it was opened."""
        return max(0, (today - self.opened_on).days)

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_on < today

    @property
    def deadline(self) -> dt.date | None:
        """The deadline of the current state (see concern_policy.state_deadline)."""
        return concern_policy.state_deadline(self.state, self.due_on, self.proposed_on)

    @property
    def source_link(self) -> str:
        """Where the source is shown: the visit, the report of concern, or the child's page."""
        names = {
            self.Source.VISIT: "care:visit_detail",
            self.Source.REPORT: "concerns:detail",
        }
        try:
            if self.source in names and self.source_ref:
                return reverse(names[self.source], args=[self.source_ref])
            return reverse("children:detail", args=[self.child_id])
        except NoReverseMatch:
            return ""


class ConcernEvent(models.Model):
    """One step of a concern: who, when, from which state to which, and the note."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = user_ref(blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    step = models.CharField(max_length=16)
    from_state = models.CharField(max_length=22, blank=True)
    to_state = models.CharField(max_length=22)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.concern_id} {self.step} {self.from_state}→{self.to_state}"

    @property
    def step_label(self):
        if self.step == "open":
            return pgettext_lazy("concern step", "opened")
        return concern_policy.STEP_LABELS.get(self.step, self.step)

    @property
    def from_label(self):
        return concern_policy.STATE_LABELS.get(self.from_state, "")

    @property
    def to_label(self):
        return concern_policy.STATE_LABELS.get(self.to_state, "")
