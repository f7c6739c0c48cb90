from django.urls import path

from . import views

app_name = "pack_share"

urlpatterns = [
    path("<str:token>/", views.share_view, name="view"),
    path("<str:token>/pdf/", views.share_pdf, name="pdf"),
]
