from django.urls import path

from prodops.core.views import coming_soon

from .scoring_urls import urlpatterns as scoring_urlpatterns

app_name = "intake"

urlpatterns = [
    path("", coming_soon, {"section": "Requests"}, name="queue"),
    *scoring_urlpatterns,
]
