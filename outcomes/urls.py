from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("", views.objective_list, name="index"),
    path("objectives/", views.objective_list, name="objectives"),
    path("objectives/new/", views.objective_create, name="objective_create"),
    path("objectives/<int:pk>/edit/", views.objective_edit, name="objective_edit"),
    path("metrics/", views.metric_list, name="metrics"),
    path("metrics/new/", views.metric_create, name="metric_create"),
    path("metrics/<int:pk>/", views.metric_detail, name="metric"),
    path("metrics/<int:pk>/edit/", views.metric_edit, name="metric_edit"),
    path("metrics/<int:pk>/measurements/", views.metric_measure, name="metric_measure"),
    path("metrics/<int:pk>/import/", views.metric_import, name="metric_import"),
    path("metrics/<int:pk>/archive/", views.metric_archive, name="metric_archive"),
    path("metrics/<int:pk>/delete/", views.metric_delete, name="metric_delete"),
    path("metrics/<int:pk>/contributions/", views.contribution_add, name="contribution_add"),
    path("items/<int:pk>/contributions/", views.item_contributions, name="item_contributions"),
    path("contributions/<int:pk>/edit/", views.contribution_edit, name="contribution_edit"),
    path("contributions/<int:pk>/delete/", views.contribution_delete, name="contribution_delete"),
    path("imports/<int:pk>/undo/", views.import_undo, name="import_undo"),
    path("coalitions/", views.coalition_list, name="coalitions"),
    path("coalitions/new/", views.coalition_create, name="coalition_create"),
    path("coalitions/<int:pk>/", views.coalition_detail, name="coalition"),
    path("coalitions/<int:pk>/edit/", views.coalition_edit, name="coalition_edit"),
    path("revisits/", views.revisit_list, name="revisits"),
    path("revisits/<int:pk>/", views.revisit_detail, name="revisit"),
]
