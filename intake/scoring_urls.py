from django.urls import path

from prodops.core.views import coming_soon

urlpatterns = [
    path("backlog/", coming_soon, {"section": "Backlog"}, name="backlog"),
]
