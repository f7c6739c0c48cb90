from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.people_index, name="index"),
    path("<int:user_pk>/teams/new/", views.membership_edit, name="membership_add"),
    path("<int:user_pk>/teams/<int:pk>/", views.membership_edit, name="membership_edit"),
]
