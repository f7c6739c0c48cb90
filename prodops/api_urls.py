"""`/api/v1/`: cross-cutting resources here; each app adds its own from its `api_urls`."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from outcomes.api import ObjectiveViewSet
from prodops.accounts.api import DepartmentViewSet, MeView, TeamViewSet
from prodops.accounts.token_api import TokenView
from prodops.home.api import HomeView
from prodops.notifications.api import NotificationViewSet
from prodops.search.api import SearchView

router = DefaultRouter()
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("departments", DepartmentViewSet, basename="department")
router.register("teams", TeamViewSet, basename="team")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("home/", HomeView.as_view(), name="api-home"),
    path("search/", SearchView.as_view(), name="api-search"),
    path("", include("intake.api_urls")),
    path("", include("roadmap.api_urls")),
    path("", include("docs_hub.api_urls")),
    path("", include("prodops.reviews.api_urls")),
    path("", include("pricing.api_urls")),
    path("", include("packs.api_urls")),
    path("", include("outcomes.api_urls")),
    path("", include("prodops.webhooks.api_urls")),
    path("", include("outreach.api_urls")),
    path("", include(router.urls)),
]
