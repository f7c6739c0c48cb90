from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .api import RequestViewSet

router = SimpleRouter()
router.register("requests", RequestViewSet, basename="request")

urlpatterns = [
    path("", include("intake.scoring_api_urls")),
    path("", include(router.urls)),
]
