"""The /api/v1/ router: every app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from areas.api import AreaViewSet, ServicePointViewSet
from care.api import ActivityViewSet, VisitViewSet
from children.api import ChildViewSet
from people.api import PersonViewSet, ResponsibilityPostViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("service-points", ServicePointViewSet, basename="service-point")
router.register("people", PersonViewSet, basename="person")
router.register("children", ChildViewSet, basename="child")
router.register("visits", VisitViewSet, basename="visit")
router.register("activities", ActivityViewSet, basename="activity")
router.register("responsibility-posts", ResponsibilityPostViewSet, basename="responsibility-post")
