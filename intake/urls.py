from django.urls import path

from . import views
from .scoring_urls import urlpatterns as scoring_urlpatterns

app_name = "intake"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("similar/", views.similar, name="similar"),
    path("bulk/", views.bulk, name="bulk"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/triage/", views.triage, name="triage"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/watch/", views.watch, name="watch"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    *scoring_urlpatterns,
]
