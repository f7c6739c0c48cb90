from django.urls import path

from . import views

app_name = "roadmap_share"

urlpatterns = [
    path("<str:token>/", views.share_view, name="view"),
]
