from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("roadmaps", api.RoadmapViewSet, basename="roadmap")
router.register("shared-roadmaps", api.SharedRoadmapViewSet, basename="shared-roadmap")

_child = SimpleRouter()
_child.register("items", api.RoadmapItemViewSet, basename="roadmap-item")
_child.register("unplanned", api.UnplannedViewSet, basename="roadmap-unplanned")
_child.register("snapshots", api.SnapshotViewSet, basename="roadmap-snapshot")
_child.register("share-links", api.ShareLinkViewSet, basename="roadmap-share-link")

urlpatterns = [
    path("roadmaps/<int:roadmap_pk>/", include(_child.urls)),
    path("", include(router.urls)),
]
