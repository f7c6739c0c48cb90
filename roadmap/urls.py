from django.urls import path

from . import views

app_name = "roadmap"

urlpatterns = [
    path("", views.roadmap_index, name="index"),
    path("new/", views.roadmap_create, name="create"),
    path("shared/", views.stakeholder_roadmap, name="shared"),
    path("plan/", views.plan_request, name="plan_request"),
    path("<int:pk>/", views.roadmap_board, name="board"),
    path("<int:pk>/list/", views.roadmap_list_view, name="list"),
    path("<int:pk>/timeline/", views.roadmap_timeline, name="timeline"),
    path("<int:pk>/export.csv", views.roadmap_export, name="export"),
    path("<int:pk>/settings/", views.roadmap_settings, name="settings"),
    path("<int:pk>/items/new/", views.item_create, name="item_create"),
    path("<int:pk>/items/new/summary/", views.plan_summary, name="plan_summary"),
    path("<int:pk>/items/<int:item_pk>/edit/", views.item_edit, name="item_edit"),
    path("<int:pk>/items/<int:item_pk>/move/", views.item_move, name="item_move"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
    path("<int:pk>/unplanned/", views.unplanned, name="unplanned"),
    path(
        "<int:pk>/unplanned/<int:entry_pk>/delete/",
        views.unplanned_delete,
        name="unplanned_delete",
    ),
    path("<int:pk>/snapshots/", views.snapshot_list, name="snapshots"),
    path("<int:pk>/snapshots/<int:snapshot_pk>/", views.snapshot_diff, name="snapshot_diff"),
    path("<int:pk>/review/", views.review_complete, name="review"),
    path("<int:pk>/share/", views.share_links, name="share_links"),
    path("<int:pk>/share/<int:link_pk>/revoke/", views.share_link_revoke, name="share_revoke"),
    path("<int:pk>/watch/", views.roadmap_watch, name="watch"),
]
