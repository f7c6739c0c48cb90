from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("docs", api.DocViewSet, basename="doc")
router.register("deflections", api.DeflectionViewSet, basename="deflection")

urlpatterns = [path("", include(router.urls))]
