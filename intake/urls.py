from django.urls import path

from . import views
from .imports import views as import_views
from .routing import views as routing_views
from .scoring_urls import urlpatterns as scoring_urlpatterns

app_name = "intake"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("intake-chart/", views.intake_chart, name="intake_chart"),
    path("new/", views.create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("similar/", views.similar, name="similar"),
    path("bulk/", views.bulk, name="bulk"),
    path("routing/", routing_views.rule_list, name="routing"),
    path("routing/<int:pk>/", routing_views.rule_detail, name="routing-rule"),
    path("routing/<int:pk>/edit/", routing_views.rule_edit, name="routing-rule-edit"),
    path("routing/<int:pk>/delete/", routing_views.rule_delete, name="routing-rule-delete"),
    path("import/", import_views.import_list, name="imports"),
    path("import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("import/<int:pk>/map/", import_views.import_map, name="import_map"),
    path("import/<int:pk>/commit/", import_views.import_commit, name="import_commit"),
    path("import/<int:pk>/undo/", import_views.import_undo, name="import_undo"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/triage/", views.triage, name="triage"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/team/", views.set_team, name="team"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/watch/", views.watch, name="watch"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    *scoring_urlpatterns,
]
