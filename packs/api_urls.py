from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .api import ReviewPackViewSet

router = SimpleRouter()
router.register("review-packs", ReviewPackViewSet, basename="review-pack")

urlpatterns = [path("", include(router.urls))]
