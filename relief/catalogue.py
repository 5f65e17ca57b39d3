"""The default catalogue of relief programmes a county starts from.

Names are stored in the database in Chinese: they are data the county edits (and prints in
village files), not interface text. Each entry also has a translatable gloss for readers of
the English interface. There are deliberately no amounts here: standards change every year
and differ by county, so the county enters them on the catalogue page.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.audit import log_action

from .models import Payment, Programme


@dataclass(frozen=True)
class Entry:
    code: str
    name: str  # stored as the programme's name (Chinese)
    gloss: Promise  # the same in the interface language
    payment: str


MONTHLY, ONE_OFF = Payment.MONTHLY, Payment.ONE_OFF

DEFAULT_CATALOGUE = [
    Entry("dibao", "最低生活保障（低保）", _("minimum living allowance (dibao)"), MONTHLY),
    Entry("tekun", "特困人员救助供养", _("support for people in extreme poverty"), MONTHLY),
    Entry(
        "orphan_institution",
        "孤儿基本生活费（集中养育）",
        _("orphan basic living allowance (raised in an institution)"),
        MONTHLY,
    ),
    Entry(
        "orphan_scattered",
        "孤儿基本生活费（社会散居）",
        _("orphan basic living allowance (living in the community)"),
        MONTHLY,
    ),
    Entry(
        "fuc",
        "事实无人抚养儿童基本生活补贴",
        _("basic living allowance for de facto unsupported children"),
        MONTHLY,
    ),
    Entry("temporary", "临时救助", _("temporary assistance"), ONE_OFF),
    Entry("medical", "医疗救助", _("medical assistance"), ONE_OFF),
    Entry("housing", "住房救助", _("housing assistance"), ONE_OFF),
    Entry("education", "教育资助", _("education grant"), ONE_OFF),
    Entry(
        "rehabilitation",
        "残疾儿童康复救助（0–6岁）",
        _("rehabilitation for disabled children (aged 0–6)"),
        MONTHLY,
    ),
    # A service rather than money: it runs from a month to a month, usually without amount.
    Entry("counselling", "心理疏导", _("psychological counselling"), MONTHLY),
    Entry("donation", "社会捐助", _("donation"), ONE_OFF),
    Entry("other", "其他", _("other"), ONE_OFF),
]

BY_CODE = {entry.code: entry for entry in DEFAULT_CATALOGUE}


def gloss(programme) -> str:
    """The interface-language gloss of a default programme (empty for the county's own)."""
    entry = BY_CODE.get(programme.code)
    return str(entry.gloss) if entry else ""


@transaction.atomic
def ensure_catalogue(county: Area, actor=None) -> int:
    """Create the default programmes a county is missing; returns how many were created.

    Idempotent, and safe when two requests race: existing codes are left alone (also the
    ones the county renamed or stopped using).
    """
    existing = set(Programme.objects.filter(county=county).values_list("code", flat=True))
    missing = [
        Programme(
            county=county,
            code=entry.code,
            name=entry.name,
            payment=entry.payment,
            order=(index + 1) * 10,
        )
        for index, entry in enumerate(DEFAULT_CATALOGUE)
        if entry.code not in existing
    ]
    if not missing:
        return 0
    Programme.objects.bulk_create(missing, ignore_conflicts=True)
    log_action(
        actor,
        "relief.catalogue.loaded",
        county,
        {"codes": [p.code for p in missing]},
    )
    return len(missing)
