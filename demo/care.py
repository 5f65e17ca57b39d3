"""Generated care work for the demo county: a year of visits and weekly activities, with a
realistic share left undone so that worklists and compliance pages have something to show."""

import datetime as dt
import random

from django.utils import timezone

from care.models import Activity, Visit, refresh_summaries
from children.models import Child
from people.models import User
from people.roles import Role

SPECIAL_MONTHS_VISITED = 0.88  # share of past months a special-attention child was visited
ORDINARY_VISITED = 0.9  # share of ordinary children visited in the last year
WEEKS_WITH_ACTIVITY = 0.9


def seed_care(rng: random.Random, homes) -> dict:
    """Bulk-create visits and activities (no findings: the registry stays as generated)."""
    today = timezone.localdate()
    directors = {u.area_id: u for u in User.objects.filter(role=Role.DIRECTOR)}
    fallback = User.objects.filter(role=Role.TOWNSHIP_STAFF).first()
    visits = []
    children = Child.objects.active().values_list("pk", "area_id", "care_level", "created_at")
    for pk, area_id, level, _created in children:
        visitor = directors.get(area_id, fallback)
        if level == "special":
            for months_ago in range(12):
                if rng.random() < SPECIAL_MONTHS_VISITED:
                    day = today - dt.timedelta(days=30 * months_ago + rng.randint(0, 27))
                    visits.append(
                        Visit(
                            child_id=pk,
                            area_id=area_id,
                            visitor=visitor,
                            visited_on=day,
                            mode="home",
                            met_caregiver=True,
                        )
                    )
        elif rng.random() < ORDINARY_VISITED:
            day = today - dt.timedelta(days=rng.randint(0, 360))
            visits.append(
                Visit(
                    child_id=pk,
                    area_id=area_id,
                    visitor=visitor,
                    visited_on=day,
                    mode=rng.choice(["home", "home", "call", "school"]),
                    met_caregiver=True,
                )
            )
    Visit.objects.bulk_create(visits, batch_size=2000)
    refresh_summaries(list(Child.objects.values_list("pk", flat=True)))
    activities = []
    themes = [t for t, _ in Activity.Theme.choices]
    for home in homes:
        director = directors.get(home.area_id, fallback)
        for weeks_ago in range(1, 27):
            if rng.random() < WEEKS_WITH_ACTIVITY:
                day = today - dt.timedelta(weeks=weeks_ago, days=rng.randint(0, 6))
                activities.append(
                    Activity(
                        home=home,
                        held_on=day,
                        theme=rng.choice(themes),
                        adults=rng.randint(1, 4),
                        recorded_by=director,
                    )
                )
    Activity.objects.bulk_create(activities, batch_size=2000)
    return {"visits": len(visits), "activities": len(activities)}
