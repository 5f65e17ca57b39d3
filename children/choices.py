"""The enumerations of the 2016 national registration form (docs/data-model.md §1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class HukouType(models.TextChoices):
    RURAL = "rural", _("rural")
    URBAN = "urban", _("urban")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("healthy")
    DISABLED = "disabled", _("disabled")
    ILL = "ill", _("seriously ill")


class DisabilityCategory(models.TextChoices):
    VISUAL = "visual", _("visual")
    HEARING = "hearing", _("hearing")
    SPEECH = "speech", _("speech")
    PHYSICAL = "physical", _("physical")
    INTELLECTUAL = "intellectual", _("intellectual")
    MENTAL = "mental", _("mental")
    MULTIPLE = "multiple", _("multiple")


class Schooling(models.TextChoices):
    NOT_IN_KINDERGARTEN = "not_in_kindergarten", _("not in kindergarten")
    KINDERGARTEN = "kindergarten", _("kindergarten")
    PRIMARY = "primary", _("primary school")
    JUNIOR = "junior", _("junior secondary")
    SENIOR = "senior", _("senior secondary")
    VOCATIONAL = "vocational", _("secondary vocational")
    DROPPED_OUT = "dropped_out", _("dropped out")
    NOT_IN_SCHOOL = "not_in_school", _("not in school")


class IncomeSource(models.TextChoices):
    WAGES = "wages", _("migrant work")
    FARMING = "farming", _("farming or livestock")
    GOVERNMENT = "government", _("government assistance")
    RELATIVES = "relatives", _("help from relatives and friends")
    OTHER = "other", _("other")


class ParentStatus(models.TextChoices):
    AT_HOME = "at_home", _("at home")
    MIGRANT = "migrant", _("migrant worker")
    DECEASED = "deceased", _("deceased")
    MISSING = "missing", _("missing (declared)")
    IMPRISONED = "imprisoned", _("imprisoned or otherwise deprived of liberty")
    # Whether a disability is severe (重残) is computed from the category and grade
    # (policy.severely_disabled); it used to be a status of its own ("severely_disabled").
    DISABLED = "disabled", _("disabled")
    SERIOUSLY_ILL = "seriously_ill", _("seriously ill")
    LOST_CONTACT = "lost_contact", _("lost contact")
    GUARDIANSHIP_REVOKED = "guardianship_revoked", _("guardianship revoked")


class ParentRole(models.TextChoices):
    FATHER = "father", _("father")
    MOTHER = "mother", _("mother")


class Relationship(models.TextChoices):
    """The entrusted caregiver's relation to the child, as the 2016 form asks it (祖父, 祖母,
    外祖父, 外祖母, another relative named in `relationship_detail`, a friend …).
    "grandparent" is kept for records made before the form asked which one."""

    PATERNAL_GRANDFATHER = "paternal_grandfather", _("paternal grandfather")
    PATERNAL_GRANDMOTHER = "paternal_grandmother", _("paternal grandmother")
    MATERNAL_GRANDFATHER = "maternal_grandfather", _("maternal grandfather")
    MATERNAL_GRANDMOTHER = "maternal_grandmother", _("maternal grandmother")
    GRANDPARENT = "grandparent", _("grandparent")
    RELATIVE = "relative", _("other relative")
    FRIEND = "friend", _("friend or neighbour")
    OTHER = "other", _("other")


# The sex an identity number of such a caregiver must show (the odd or even 17th digit).
RELATIONSHIP_SEX = {
    Relationship.PATERNAL_GRANDFATHER: "M",
    Relationship.MATERNAL_GRANDFATHER: "M",
    Relationship.PATERNAL_GRANDMOTHER: "F",
    Relationship.MATERNAL_GRANDMOTHER: "F",
}


class GuardianshipType(models.TextChoices):
    """监护类型 of the 2016 form: the first three are the footnote's "poor" guardianship
    (差), the last two its "fair" and "good"."""

    UNGUARDED = "unguarded", _("no one is the guardian")
    PARENT_INCAPABLE = "parent_incapable", _("a parent lacks guardianship capacity")
    CAREGIVER_INSUFFICIENT = (
        "caregiver_insufficient",
        _("the entrusted guardian's capacity is insufficient"),
    )
    FAIR = "fair", _("guardianship fair")
    GOOD = "good", _("guardianship good")


class Confirmer(models.TextChoices):
    """Who confirmed the registration form (the parents or the entrusted guardian)."""

    FATHER = "father", _("father")
    MOTHER = "mother", _("mother")
    CAREGIVER = "caregiver", _("entrusted caregiver")
    GUARDIAN = "guardian", _("other guardian")


class CaregiverHealth(models.TextChoices):
    HEALTHY = "healthy", _("healthy")
    FRAIL = "frail", _("elderly or frail")
    ILL = "ill", _("ill")
    DISABLED = "disabled", _("disabled")


class Assessment(models.TextChoices):
    GOOD = "good", _("good")
    FAIR = "fair", _("fair")
    POOR = "poor", _("poor")


class CareLevel(models.TextChoices):
    SPECIAL = "special", _("special attention")
    ORDINARY = "ordinary", _("ordinary")


class Difficulty(models.TextChoices):
    POVERTY = "poverty", _("family poverty")
    DISABILITY = "disability", _("disability")
    GUARDIANSHIP = "guardianship", _("missing or improper guardianship")


class LeftBehindKind(models.TextChoices):
    BOTH_AWAY = "both_away", _("both parents away")
    ONE_AWAY = "one_away", _("one parent away, the other unable to care")


class Status(models.TextChoices):
    ACTIVE = "active", _("active")
    CLOSED = "closed", _("closed")


class CloseReason(models.TextChoices):
    TURNED_16 = "turned_16", _("turned 16")
    PARENT_RETURNED = "parent_returned", _("a parent returned")
    MOVED_AWAY = "moved_away", _("moved away")
    TURNED_18 = "turned_18", _("turned 18")
    DIED = "died", _("died")
    OTHER = "other", _("other")
    # A second record of a child already registered, merged into the first (registry app).
    MERGED = "merged", _("merged into another record")


class ProcessingBasis(models.TextChoices):
    """The legal basis for processing a child's personal information (PIPL art. 13, 31).

    A child under 14 is sensitive personal information: without a statutory duty or an
    emergency, processing needs a parent's or guardian's consent (art. 31); a child of 14
    or over may consent themselves."""

    STATUTORY_DUTY = "statutory_duty", _("statutory duty (PIPL art. 13(3))")
    GUARDIAN_CONSENT = "guardian_consent", _("consent of a parent or guardian (PIPL art. 31)")
    CHILD_CONSENT = "child_consent", _("the child's own consent (aged 14 or over)")
    EMERGENCY = "emergency", _("emergency: protecting the child's life, health or property")


class ConsentGiver(models.TextChoices):
    """Who gave the consent, as the child's relation."""

    FATHER = "father", _("father")
    MOTHER = "mother", _("mother")
    GUARDIAN = "guardian", _("other guardian")
    CAREGIVER = "caregiver", _("entrusted caregiver, for the parents")
    CHILD = "child", _("the child")
