"""A quarter's figures, counted from children's snapshot rows. Pure functions.

A row is the dict children.services.snapshot() makes of a child (false and empty facts
left out). The figures are what the national summary form counts: categories, care level,
sex and the age bands 0–5, 6–13, 14–15 (16 and over shown apart), plus new and exited.
"""

import datetime as dt

from children.policy import age_on

CATEGORIES = [
    "left_behind",
    "orphan",
    "fuc",
    "in_difficulty",
    "poverty",
    "disability",
    "guardianship",
    "ordinary",
]
AGE_BANDS = [("0-5", 0, 5), ("6-13", 6, 13), ("14-15", 14, 15), ("16+", 16, 200)]


def categories_of(row: dict) -> list[str]:
    """The statistical categories of one snapshot row ("ordinary" when none applies)."""
    found = []
    if row.get("is_left_behind"):
        found.append("left_behind")
    if row.get("is_orphan"):
        found.append("orphan")
    if row.get("is_fuc"):
        found.append("fuc")
    difficulties = [
        name for name in ("poverty", "disability", "guardianship") if row.get(f"difficulty_{name}")
    ]
    if difficulties:
        found += ["in_difficulty", *difficulties]
    return found or ["ordinary"]


def age_band(birth_date: str | None, on: dt.date) -> str | None:
    if not birth_date:
        return None
    age = age_on(dt.date.fromisoformat(birth_date), on)
    for name, low, high in AGE_BANDS:
        if low <= age <= high:
            return name
    return None


def empty() -> dict:
    """Figures with every count at zero, so sums and tables always have every cell."""
    return {
        "total": 0,
        "new": 0,
        "exited": 0,
        "category": dict.fromkeys(CATEGORIES, 0),
        "care_level": {"special": 0, "ordinary": 0},
        "sex": {"M": 0, "F": 0},
        "age_band": {name: 0 for name, _low, _high in AGE_BANDS},
    }


def count(rows, on: dt.date, *, new: int = 0, exited: int = 0) -> dict:
    """The figures of a roster of snapshot rows, with ages taken on `on`."""
    figures = empty()
    figures["new"], figures["exited"] = new, exited
    for row in rows:
        figures["total"] += 1
        for category in categories_of(row):
            figures["category"][category] += 1
        level = row.get("care_level")
        if level in figures["care_level"]:
            figures["care_level"][level] += 1
        sex = row.get("sex")
        if sex in figures["sex"]:
            figures["sex"][sex] += 1
        band = age_band(row.get("birth_date"), on)
        if band:
            figures["age_band"][band] += 1
    return figures


def add(many) -> dict:
    """The sum of several figures (a township's villages, a county's townships)."""
    total = empty()
    for figures in many:
        for key, value in figures.items():
            if isinstance(value, dict):
                bucket = total.setdefault(key, {})
                for name, number in value.items():
                    bucket[name] = bucket.get(name, 0) + number
            else:
                total[key] = total.get(key, 0) + value
    return total
