"""Classification policy: who is a left-behind child, a child in difficulty, and who needs
special attention. One module, pure functions of the recorded facts; every result carries
its reasons. The rules: docs/rules.md §1; the official definitions: docs/definitions.md §1–6.

The constants below are the county's policy; change them here and nowhere else.
"""

import calendar
import datetime as dt
import functools
import json
from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..choices import (
    Assessment,
    CaregiverHealth,
    CareLevel,
    Difficulty,
    DisabilityCategory,
    GuardianshipType,
    Health,
    HukouType,
    LeftBehindKind,
    ParentRole,
    ParentStatus,
    Schooling,
)

# The guardianship types of the 2016 form that its footnote calls poor (差): no guardian, a
# parent at home unable to care, an entrusted guardian without the capacity. Any of them
# puts the child at special attention, as a poor guardianship assessment does (docs/rules.md
# §1.4).
POOR_GUARDIANSHIP_TYPES = (
    GuardianshipType.UNGUARDED,
    GuardianshipType.PARENT_INCAPABLE,
    GuardianshipType.CAREGIVER_INSUFFICIENT,
)
LEFT_BEHIND_AGE_LIMIT = 16  # under 16 (国发〔2016〕13号)
COUNTY_DIGITS = 6  # an area code's county prefix (statistical division codes)
CHILD_AGE_LIMIT = 18  # orphans and de-facto-unsupported children: under 18
FUC_MIN_MONTHS = 6  # imprisonment or lost contact must have lasted ≥ 6 months (民发〔2019〕62号)

# A parent at home in one of these states cannot care for the child, so a child with the
# other parent away counts as left behind. The national definition names serious illness
# and severe disability (无监护能力, docs/definitions.md §1); like the local 单亲留守 practice, the
# county also counts a parent who is dead, missing, imprisoned, out of contact or stripped
# of guardianship — none of them can care for the child either. Narrow it here if the
# county decides otherwise.
# A disabled parent counts only when the disability is severe (severely_disabled()).
UNABLE_TO_CARE = {
    ParentStatus.DISABLED,
    ParentStatus.SERIOUSLY_ILL,
    ParentStatus.DECEASED,
    ParentStatus.MISSING,
    ParentStatus.IMPRISONED,
    ParentStatus.LOST_CONTACT,
    ParentStatus.GUARDIANSHIP_REVOKED,
}
# States that make a child de facto unsupported (事实无人抚养) when both parents are in them,
# or one is dead or missing and the other is in one of them.
FUC_STATES = {
    ParentStatus.DISABLED,
    ParentStatus.SERIOUSLY_ILL,
    ParentStatus.IMPRISONED,
    ParentStatus.LOST_CONTACT,
    ParentStatus.GUARDIANSHIP_REVOKED,
}
FUC_DURATION_STATES = {ParentStatus.IMPRISONED, ParentStatus.LOST_CONTACT}
GONE = {ParentStatus.DECEASED, ParentStatus.MISSING}
# 重残 (民发〔2019〕62号): disability grade 1 or 2 of any category, or grade 3 or 4 of a
# mental or intellectual disability.
SEVERE_GRADES = {1, 2}
SEVERE_IF_MENTAL_GRADES = {3, 4}
MENTAL_CATEGORIES = {DisabilityCategory.INTELLECTUAL, DisabilityCategory.MENTAL}
LEGACY_SEVERELY_DISABLED = "severely_disabled"
# A caregiver in one of these states lacks capacity: the left-behind child needs special attention.
CAREGIVER_LACKS_CAPACITY = {CaregiverHealth.FRAIL, CaregiverHealth.ILL, CaregiverHealth.DISABLED}

REASONS = {
    "both_away": _("both parents away: %(father)s; %(mother)s"),
    "one_away": _("one parent away (%(away)s), the other unable to care (%(other)s)"),
    "under_16": _("under 16 (turns 16 on %(date)s)"),
    "aged_16": _("aged 16 or over: no longer left behind"),
    "urban_hukou": _("urban household registration: not counted as left behind"),
    "orphan": _("orphan: both parents dead or missing"),
    "fuc": _("de facto unsupported: %(father)s; %(mother)s"),
    "poverty": _("family poverty: %(flags)s"),
    "disability": _("disability: %(detail)s"),
    "orphan_not_extreme_poverty": _(
        "orphan: extreme-poverty support does not apply (orphan support takes precedence)"
    ),
    "no_hukou": _("household registration not completed: help register it"),
    "caregiver_poor": _("caregiver's guardianship assessed as poor"),
    "guardianship_type_poor": _("the registration form records poor guardianship: %(type)s"),
    "caregiver_capacity": _("caregiver lacks capacity: %(health)s"),
    "no_caregiver": _(
        "left behind without a recorded caregiver: check that the child does not live alone"
    ),
    "dropped_out": _("dropped out of school"),
    "ill": _("seriously ill: %(detail)s"),
    "risk": _("open concern: %(detail)s"),
    "guardianship_at_risk": _("guardianship at risk: %(parent)s; %(when)s"),
    "parent_grade_unknown": _(
        "%(role)s: disability grade not recorded; counted as severe, as recorded before. "
        "Record the grade."
    ),
    "difficulty": _("child in difficulty"),
    "override": _("care level set by %(by)s: %(reason)s"),
    "ordinary": _("no special-attention condition applies"),
}


@dataclass
class ParentFacts:
    status: str = ""
    since: dt.date | None = None
    work_province: str = ""
    work_city: str = ""
    disability_category: str = ""
    disability_grade: int | None = None

    def __post_init__(self):
        # The status "severely_disabled" of records made before the grade was asked (the
        # data migration converts stored rows; this covers data loaded from older files):
        # a disability whose grade is not recorded.
        if self.status == LEGACY_SEVERELY_DISABLED:
            self.status = ParentStatus.DISABLED

    def raw(self, role: str) -> dict:
        """The parent's facts as stored in a reason (rendered later in the reader's language)."""
        data = {
            "role": role,
            "status": self.status,
            "since": self.since.isoformat() if self.since else "",
            "place": " ".join(p for p in (self.work_province, self.work_city) if p),
        }
        if self.status == ParentStatus.DISABLED:
            data["category"] = self.disability_category
            data["grade"] = self.disability_grade
        return data


@dataclass
class Facts:
    """What the classification reads, taken from a child's record (see Child.facts())."""

    birth_date: dt.date
    hukou_type: str = HukouType.RURAL
    # A child without household registration is classified by the type the family states;
    # the missing registration itself is flagged (registering it is a service, 落实户籍).
    hukou_registered: bool = True
    health: str = Health.HEALTHY
    disability_category: str = ""
    disability_grade: int | None = None
    illness: str = ""
    schooling: str = ""
    dibao: bool = False
    extreme_poverty: bool = False
    low_income: bool = False
    father: ParentFacts = field(default_factory=ParentFacts)
    mother: ParentFacts = field(default_factory=ParentFacts)
    has_caregiver: bool = False
    caregiver_health: str = ""
    caregiver_assessment: str = ""
    # 监护类型 of the registration form ("" when not recorded).
    guardianship_type: str = ""
    # The findings of the child's open concerns (children.Concern: visits, reports of concern,
    # changes). Each holds the child at special attention until it is resolved or referred.
    open_concerns: tuple = ()
    override_level: str = ""
    override_reason: str = ""
    override_by: str = ""


@dataclass
class Classification:
    """The result, with reasons as (code, params) so they render in the reader's language."""

    left_behind: bool = False
    left_behind_kind: str = ""
    orphan: bool = False
    fuc: bool = False
    difficulties: list = field(default_factory=list)
    computed_level: str = CareLevel.ORDINARY
    care_level: str = CareLevel.ORDINARY
    reasons: list = field(default_factory=list)  # [(code, params)]
    level_reasons: list = field(default_factory=list)

    @property
    def in_difficulty(self) -> bool:
        return bool(self.difficulties)


def birthday(birth_date: dt.date, years: int) -> dt.date:
    """The date a person born on `birth_date` turns `years` (29 February → 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return dt.date(birth_date.year + years, 3, 1)


def birthday_cutoff(day: dt.date, years: int) -> dt.date:
    """The latest birth date of someone who is at least `years` old on `day`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February: born 1 March of that year turns `years` on 1 March
        return dt.date(day.year - years, 2, 28)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years of age on `day`."""
    years = day.year - birth_date.year
    return years if day >= birthday(birth_date, years) else years - 1


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from start to end."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months if end.day >= start.day else months - 1


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day on which months_between(day, ·) reaches `months`: the same day of
    the month, or the 1st of the next month when that month is shorter (31 Aug → 1 Mar)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if day.day <= calendar.monthrange(year, month0 + 1)[1]:
        return dt.date(year, month0 + 1, day.day)
    year, month0 = divmod(year * 12 + month0 + 1, 12)
    return dt.date(year, month0 + 1, 1)


def severely_disabled(category: str, grade: int | None) -> bool:
    """重残: grade 1–2 of any disability, or grade 3–4 of an intellectual or mental one.
    A grade not recorded (records from before the grade was asked) keeps the judgement
    "severely disabled" those records carried."""
    if grade is None:
        return True
    return grade in SEVERE_GRADES or (
        grade in SEVERE_IF_MENTAL_GRADES and category in MENTAL_CATEGORIES
    )


def _severe(parent: ParentFacts) -> bool:
    return severely_disabled(parent.disability_category, parent.disability_grade)


def _unable_to_care(parent: ParentFacts) -> bool:
    """The parent at home cannot care for the child (无监护能力)."""
    if parent.status == ParentStatus.DISABLED:
        return _severe(parent)
    return parent.status in UNABLE_TO_CARE


def _pending(parent: ParentFacts, on: dt.date) -> bool:
    """Imprisoned or out of contact, but not (or not known to be) for six months yet."""
    return parent.status in FUC_DURATION_STATES and (
        parent.since is None or months_between(parent.since, on) < FUC_MIN_MONTHS
    )


def _fuc_state(parent: ParentFacts, on: dt.date) -> bool:
    if parent.status not in FUC_STATES:
        return False
    if parent.status == ParentStatus.DISABLED:
        return _severe(parent)
    if parent.status in FUC_DURATION_STATES:
        return not _pending(parent, on)
    return True


def classify(facts: Facts, on: dt.date) -> Classification:
    """Classify a child on a given day. Pure: the same facts and day give the same result."""
    result = Classification()
    reasons = result.reasons
    father, mother = facts.father, facts.mother
    described = {"father": father.raw("father"), "mother": mother.raw("mother")}
    under_16 = on < birthday(facts.birth_date, LEFT_BEHIND_AGE_LIMIT)
    under_18 = on < birthday(facts.birth_date, CHILD_AGE_LIMIT)

    # Left behind: under 16, rural registration, both away or one away and the other unable.
    away = [p for p in (father, mother) if p.status == ParentStatus.MIGRANT]
    kind = ""
    if len(away) == 2:
        kind = LeftBehindKind.BOTH_AWAY
    elif len(away) == 1:
        other, other_name = (mother, "mother") if away[0] is father else (father, "father")
        if _unable_to_care(other):
            kind = LeftBehindKind.ONE_AWAY
    if kind:
        if not under_16:
            reasons.append(("aged_16", {}))
        elif facts.hukou_type != HukouType.RURAL:
            reasons.append(("urban_hukou", {}))
        else:
            result.left_behind, result.left_behind_kind = True, kind
            if kind == LeftBehindKind.BOTH_AWAY:
                reasons.append(("both_away", described))
            else:
                away_name = "father" if away[0] is father else "mother"
                reasons.append(
                    ("one_away", {"away": described[away_name], "other": described[other_name]})
                )
            turns = birthday(facts.birth_date, LEFT_BEHIND_AGE_LIMIT)
            reasons.append(("under_16", {"date": turns.isoformat()}))

    # Orphan (precedence over de facto unsupported and extreme poverty), then FUC.
    if under_18:
        if father.status in GONE and mother.status in GONE:
            result.orphan = True
            reasons.append(("orphan", {}))
        elif (_fuc_state(father, on) and _fuc_state(mother, on)) or (
            (father.status in GONE and _fuc_state(mother, on))
            or (mother.status in GONE and _fuc_state(father, on))
        ):
            result.fuc = True
            reasons.append(("fuc", described))

    # Children in difficulty: poverty, disability, missing or improper guardianship.
    if under_18:
        flags = [
            name for name in ("dibao", "extreme_poverty", "low_income") if getattr(facts, name)
        ]
        if result.orphan and "extreme_poverty" in flags:
            # Orphan support takes precedence over extreme-poverty support for minors
            # (特困人员认定办法 Art. 9): the flag is a data problem to correct.
            flags.remove("extreme_poverty")
            reasons.append(("orphan_not_extreme_poverty", {}))
        if flags:
            result.difficulties.append(Difficulty.POVERTY)
            reasons.append(("poverty", {"flags": flags}))
        if facts.health == Health.DISABLED:
            result.difficulties.append(Difficulty.DISABILITY)
            reasons.append(
                (
                    "disability",
                    {"category": facts.disability_category, "grade": facts.disability_grade},
                )
            )
        if result.orphan or result.fuc:
            result.difficulties.append(Difficulty.GUARDIANSHIP)

    if not facts.hukou_registered:
        reasons.append(("no_hukou", {}))
    for role, parent in (("father", father), ("mother", mother)):
        if parent.status == ParentStatus.DISABLED and parent.disability_grade is None:
            reasons.append(("parent_grade_unknown", {"role": role}))

    # Care level: special attention for every child in difficulty, and for left-behind
    # children whose care is weak or who show a risk.
    level_reasons = result.level_reasons
    if result.difficulties:
        level_reasons.append(("difficulty", {}))
    if result.left_behind:
        # A missing caregiver is not by itself a difficulty category (it may be missing data),
        # but the child may be living alone: special attention until a visit settles it.
        if not facts.has_caregiver:
            level_reasons.append(("no_caregiver", {}))
        elif facts.caregiver_assessment == Assessment.POOR:
            level_reasons.append(("caregiver_poor", {}))
        elif facts.caregiver_health in CAREGIVER_LACKS_CAPACITY:
            level_reasons.append(("caregiver_capacity", {"health": facts.caregiver_health}))
    if under_18 and facts.guardianship_type in POOR_GUARDIANSHIP_TYPES:
        level_reasons.append(("guardianship_type_poor", {"type": facts.guardianship_type}))
    if under_18 and facts.schooling == Schooling.DROPPED_OUT:
        level_reasons.append(("dropped_out", {}))
    if under_18 and facts.health == Health.ILL:
        level_reasons.append(("ill", {"detail": facts.illness}))
    for finding in facts.open_concerns:
        level_reasons.append(("risk", {"detail": finding}))
    # Guardianship in between: a parent imprisoned or out of contact for less than six
    # months (or since a day not recorded) is not yet a de facto unsupported case, but the
    # child's care is unsettled: special attention, named, until the six months are reached
    # (the daily review then classifies again) or the date is given.
    if under_18:
        for role, parent in (("father", father), ("mother", mother)):
            if _pending(parent, on):
                until = add_months(parent.since, FUC_MIN_MONTHS) if parent.since else None
                level_reasons.append(
                    (
                        "guardianship_at_risk",
                        {
                            "parent": described[role],
                            "until": until.isoformat() if until else "",
                        },
                    )
                )
    result.computed_level = CareLevel.SPECIAL if level_reasons else CareLevel.ORDINARY
    if not level_reasons:
        level_reasons.append(("ordinary", {}))
    result.care_level = result.computed_level
    if facts.override_level:
        result.care_level = facts.override_level
        level_reasons.append(
            ("override", {"by": facts.override_by, "reason": facts.override_reason})
        )
    return result


POVERTY_FLAGS = {
    "dibao": _("minimum living allowance (dibao)"),
    "extreme_poverty": _("extreme-poverty support"),
    "low_income": _("registered-poor or monitored household"),
}


def _parent_text(parent: dict) -> str:
    """E.g. "father: migrant worker (浙江 杭州) since 2024-03", in the active language."""
    try:
        status = str(ParentStatus(parent["status"]).label) if parent["status"] else "—"
    except ValueError:  # a reason stored before "severely disabled" became a computed fact
        status = str(_("severely disabled"))
    if parent["status"] == ParentStatus.MIGRANT and parent["place"]:
        status = str(_("%(status)s in %(place)s") % {"status": status, "place": parent["place"]})
    if parent["status"] == ParentStatus.DISABLED and parent.get("grade"):
        detail = _disability_text(parent.get("category"), parent["grade"])
        status = f"{status} ({detail})"
    if parent["since"]:
        status = str(
            _("%(status)s since %(month)s") % {"status": status, "month": parent["since"][:7]}
        )
    return str(
        _("%(role)s: %(status)s") % {"role": ParentRole(parent["role"]).label, "status": status}
    )


def _disability_text(category: str | None, grade: int | None) -> str:
    """E.g. "intellectual grade 3"."""
    parts = []
    if category:
        parts.append(str(DisabilityCategory(category).label))
    if grade:
        parts.append(str(_("grade %(n)s") % {"n": grade}))
    return " ".join(parts)


def _params_text(code: str, params: dict) -> dict:
    """Turn a reason's stored raw parameters into display text."""
    text = dict(params)
    for key in ("father", "mother", "away", "other", "parent"):
        if isinstance(params.get(key), dict):
            text[key] = _parent_text(params[key])
    if code == "poverty":
        text["flags"] = ", ".join(str(POVERTY_FLAGS[f]) for f in params["flags"])
    if code == "disability":
        text["detail"] = _disability_text(params.get("category"), params.get("grade")) or str(
            Health.DISABLED.label
        )
    if code == "guardianship_at_risk":
        if params.get("until"):
            text["when"] = str(
                _("six months reached on %(date)s: then reviewed as de facto unsupported")
                % {"date": params["until"]}
            )
        else:
            text["when"] = str(_("since when is not recorded: give the date"))
    if code == "parent_grade_unknown":
        text["role"] = str(ParentRole(params["role"]).label)
    if code == "caregiver_capacity":
        text["health"] = str(CaregiverHealth(params["health"]).label)
    if code == "guardianship_type_poor":
        text["type"] = str(GuardianshipType(params["type"]).label)
    if code == "ill" and not params.get("detail"):
        text["detail"] = str(Health.ILL.label)
    return text


def render_reason(reason) -> str:
    """A stored (code, params) reason as text in the active language."""
    code, params = reason
    # The text depends on nothing else: the same reasons come back on every list page (the
    # children API's first page renders some 140), so each is written once per process.
    return _rendered(get_language(), code, json.dumps(params, sort_keys=True))


@functools.lru_cache(maxsize=8192)
def _rendered(language: str, code: str, params: str) -> str:
    """render_reason's text of one reason in `language` (which is the active one)."""
    params = json.loads(params)
    message = REASONS.get(code)
    if message is None:
        return code
    return str(message) % _params_text(code, params) if params else str(message)


# -- legal basis for processing a child's personal information (PIPL) --------------------
# Under 14, a child's personal information is sensitive; processing it on consent needs a
# parent's or guardian's consent (PIPL art. 28, 31). From 14 the child consents themselves.
CONSENT_AGE = 14
# What the civil-affairs department's statutory duty rests on, offered when an officer
# records that basis (PIPL art. 13(3)); the officer may name another law or decision.
STATUTORY_BASIS_LAW = (
    "《中华人民共和国未成年人保护法》；"
    "《国务院关于加强农村留守儿童关爱保护工作的意见》（国发〔2016〕13号）；"
    "《国务院关于加强困境儿童保障工作的意见》（国发〔2016〕36号）"
)


def crosses_counties(from_code: str, to_code: str) -> bool:
    """A move to another county: a handover the receiving county must accept, not a transfer
    done at once."""
    return from_code[:COUNTY_DIGITS] != to_code[:COUNTY_DIGITS]
