from django.urls import path

from prodops.core.views import coming_soon

app_name = "docs_hub"

urlpatterns = [
    path("", coming_soon, {"section": "Docs"}, name="index"),
]
