from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .api import RequestViewSet
from .imports.api import RequestImportViewSet
from .routing.api import RoutingRuleViewSet

router = SimpleRouter()
router.register("requests", RequestViewSet, basename="request")
router.register("routing-rules", RoutingRuleViewSet, basename="routing-rule")
router.register("request-imports", RequestImportViewSet, basename="request-import")

urlpatterns = [
    path("", include("intake.scoring_api_urls")),
    path("", include(router.urls)),
]
