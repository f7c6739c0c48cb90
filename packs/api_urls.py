from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .api import CommitmentViewSet, ReviewPackViewSet

router = SimpleRouter()
router.register("review-packs", ReviewPackViewSet, basename="review-pack")

_child = SimpleRouter()
_child.register("commitments", CommitmentViewSet, basename="review-pack-commitment")

urlpatterns = [
    path("review-packs/<int:pack_pk>/", include(_child.urls)),
    path("", include(router.urls)),
]
