"""What a jurisdiction holds and lacks: counts of places, homes, directors and vacancies.

Each function runs a fixed number of queries whatever the number of villages.
"""

from django.db.models import Count, Exists, OuterRef, Q

from areas.codes import Level
from areas.models import Area, ServicePoint

from .models import ResponsibilityPost, User
from .roles import Role

Post = ResponsibilityPost.Post


def with_gaps(villages):
    """Annotate villages with has_home, directors (count) and filled team posts."""
    homes = ServicePoint.objects.homes().filter(area=OuterRef("pk"))
    directors = User.objects.directors().filter(area=OuterRef("pk"))
    lead = ResponsibilityPost.objects.filter(
        area=OuterRef("pk"), post=Post.TEAM_LEAD, holder_name__gt=""
    )
    cadre = ResponsibilityPost.objects.filter(
        area=OuterRef("pk"), post=Post.CADRE, holder_name__gt=""
    )
    return villages.annotate(
        has_home=Exists(homes),
        has_director=Exists(directors),
        has_team_lead=Exists(lead),
        has_cadre=Exists(cadre),
    )


def villages_with_gaps(villages):
    """Villages lacking a children's home, a director or a member of the protection team."""
    return with_gaps(villages).filter(
        Q(has_home=False) | Q(has_director=False) | Q(has_team_lead=False) | Q(has_cadre=False)
    )


def township_vacancies(townships, township_count: int) -> int:
    """Number of required township posts left unfilled across the given townships."""
    required = ResponsibilityPost.REQUIRED[Level.TOWNSHIP]
    filled = (
        ResponsibilityPost.objects.filter(area__in=townships, post__in=required, holder_name__gt="")
        .values("area_id", "post")
        .distinct()
        .count()
    )
    return len(required) * township_count - filled


def jurisdiction_summary(user) -> dict:
    """Counts for the user's home page: townships, villages, homes, directors, gaps."""
    areas = Area.objects.visible_to(user)
    villages = with_gaps(areas.villages())
    village_counts = villages.aggregate(
        villages=Count("id"),
        without_home=Count("id", filter=Q(has_home=False)),
        without_director=Count("id", filter=Q(has_director=False)),
        team_vacancies=Count("id", filter=Q(has_team_lead=False) | Q(has_cadre=False)),
    )
    townships = areas.townships()
    township_count = townships.count()
    return {
        "townships": township_count,
        **village_counts,
        "homes": ServicePoint.objects.visible_to(user).homes().count(),
        "directors": User.objects.visible_to(user).directors().count(),
        "township_vacancies": township_vacancies(townships, township_count),
    }


def child_area_rows(area):
    """The areas one level below `area` with their own counts, for drill-down."""
    children = Area.objects.filter(parent=area)
    if area.level == Level.TOWNSHIP:
        return with_gaps(children).order_by("code")
    homes = ServicePoint.objects.homes()
    directors = User.objects.directors()
    rows = children.annotate(
        village_count=Count("children", filter=Q(children__level=Level.VILLAGE), distinct=True),
    ).order_by("code")
    if area.level == Level.COUNTY:
        home_counts = dict(
            homes.within(area.prefix).values_list("area__parent_id").annotate(n=Count("id"))
        )
        director_counts = dict(
            directors.within(area.prefix).values_list("area__parent_id").annotate(n=Count("id"))
        )
        rows = list(rows)
        for row in rows:
            row.home_count = home_counts.get(row.id, 0)
            row.director_count = director_counts.get(row.id, 0)
    return rows


def responsibility_rows(area):
    """The responsibility matrix under `area`: one row per township or village, with vacancies.

    A county lists its townships; a township lists itself and its villages; a village itself.
    """
    if area.level == Level.COUNTY:
        units = list(Area.objects.filter(parent=area, level=Level.TOWNSHIP).order_by("code"))
    elif area.level == Level.TOWNSHIP:
        units = [area, *Area.objects.filter(parent=area).order_by("code")]
    elif area.level == Level.VILLAGE:
        units = [area]
    else:
        units = []
    posts = ResponsibilityPost.objects.filter(area__in=units).order_by("post", "id")
    villages = [unit for unit in units if unit.level == Level.VILLAGE]
    directors = User.objects.directors().filter(area__in=villages).order_by("username")
    by_area = {unit.id: {"area": unit, "posts": {}, "directors": []} for unit in units}
    for post in posts:
        by_area[post.area_id]["posts"].setdefault(post.post, []).append(post)
    for director in directors:
        by_area[director.area_id]["directors"].append(director)
    rows = []
    for unit in units:
        row = by_area[unit.id]
        required = ResponsibilityPost.REQUIRED.get(unit.level, [])
        row["slots"] = []
        for post in required:
            holders = [h for h in row["posts"].get(post, []) if not h.is_vacant]
            row["slots"].append(
                {"post": post, "label": Post(post).label, "holders": holders, "vacant": not holders}
            )
        row["vacancies"] = [slot["label"] for slot in row["slots"] if slot["vacant"]]
        if unit.level == Level.VILLAGE and not row["directors"]:
            row["vacancies"].append(Role.DIRECTOR.label)
        rows.append(row)
    return rows
