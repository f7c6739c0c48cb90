from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("", views.objective_list, name="index"),
    path("objectives/", views.objective_list, name="objectives"),
    path("objectives/new/", views.objective_create, name="objective_create"),
    path("objectives/<int:pk>/edit/", views.objective_edit, name="objective_edit"),
]
