"""The /api/v1/ router: every app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from areas.api import AreaViewSet, ServicePointViewSet
from care.api import ActivityViewSet, VisitViewSet
from children import concern_api
from children.api import ChildViewSet
from concerns import api as concerns_api
from people.api import ApiTokenViewSet, PersonViewSet, ResponsibilityPostViewSet
from relief import api as relief_api
from rounds import api as rounds_api
from social import api as social_api
from stats import api as stats_api
from villagefiles import api as villagefiles_api

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("service-points", ServicePointViewSet, basename="service-point")
router.register("people", PersonViewSet, basename="person")
router.register("children", ChildViewSet, basename="child")
router.register("visits", VisitViewSet, basename="visit")
router.register("activities", ActivityViewSet, basename="activity")
router.register("responsibility-posts", ResponsibilityPostViewSet, basename="responsibility-post")
router.register("tokens", ApiTokenViewSet, basename="token")

# Apps added later register their own routes, so each keeps its routes in its own file.
for app_api in (
    concern_api,
    relief_api,
    social_api,
    concerns_api,
    rounds_api,
    villagefiles_api,
    stats_api,
):
    app_api.register(router)
