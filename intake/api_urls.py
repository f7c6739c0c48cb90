from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .api import RequestViewSet
from .routing.api import RoutingRuleViewSet

router = SimpleRouter()
router.register("requests", RequestViewSet, basename="request")
router.register("routing-rules", RoutingRuleViewSet, basename="routing-rule")

urlpatterns = [
    path("", include("intake.scoring_api_urls")),
    path("", include(router.urls)),
]
