from django.urls import include, path
from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = [
    path("", include("intake.scoring_api_urls")),
    path("", include(router.urls)),
]
