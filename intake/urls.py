from django.urls import path

from prodops.core.views import coming_soon

app_name = "intake"

urlpatterns = [
    path("", coming_soon, {"section": "Requests"}, name="queue"),
    path("backlog/", coming_soon, {"section": "Backlog"}, name="backlog"),
]
