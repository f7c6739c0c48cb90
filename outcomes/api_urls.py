from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("metrics", api.MetricViewSet, basename="metric")
router.register("contributions", api.ContributionViewSet, basename="contribution")
router.register("revisits", api.RevisitViewSet, basename="revisit")
router.register("coalitions", api.CoalitionViewSet, basename="coalition")

urlpatterns = [path("", include(router.urls))]
