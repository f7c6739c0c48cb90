from django.urls import path

from prodops.core.views import coming_soon

app_name = "roadmap"

urlpatterns = [
    path("", coming_soon, {"section": "Roadmap"}, name="index"),
]
