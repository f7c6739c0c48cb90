from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, readiness_api

router = SimpleRouter()
router.register("docs", api.DocViewSet, basename="doc")
router.register("deflections", api.DeflectionViewSet, basename="deflection")

_item = "roadmaps/<int:roadmap_pk>/items/<int:item_pk>/readiness/"

urlpatterns = [
    path(_item, readiness_api.ReadinessView.as_view(), name="item-readiness"),
    path(
        f"{_item}lines/<int:pk>/",
        readiness_api.ReadinessLineView.as_view(),
        name="item-readiness-line",
    ),
    path(
        f"{_item}waiver/", readiness_api.ReadinessWaiverView.as_view(), name="item-readiness-waiver"
    ),
    path("", include(router.urls)),
]
