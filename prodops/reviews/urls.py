from django.urls import path

from prodops.core.views import coming_soon

app_name = "reviews"

urlpatterns = [
    path("", coming_soon, {"section": "Reviews"}, name="index"),
]
