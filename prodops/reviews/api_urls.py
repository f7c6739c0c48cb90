from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .api import CadenceViewSet

router = SimpleRouter()
router.register("cadences", CadenceViewSet, basename="cadence")

urlpatterns = [path("", include(router.urls))]
