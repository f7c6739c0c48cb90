from django.urls import path

from . import views

app_name = "docs_hub"

urlpatterns = [
    path("", views.doc_index, name="index"),
    path("new/", views.doc_create, name="create"),
    path("suggested/<int:pk>/", views.doc_suggested, name="suggested"),
    path("answers/<int:pk>/", views.doc_answers, name="answers"),
    path("deflections/", views.deflection_report, name="report"),
    path("readiness/<int:item_pk>/", views.item_readiness, name="readiness"),
    path("<slug:slug>/", views.doc_detail, name="detail"),
    path("<slug:slug>/edit/", views.doc_edit, name="edit"),
    path("<slug:slug>/status/", views.doc_status, name="status"),
    path("<slug:slug>/verify/", views.doc_verify, name="verify"),
    path("<slug:slug>/resolve/", views.doc_resolve, name="resolve"),
    path("<slug:slug>/links/", views.doc_link, name="link"),
    path("<slug:slug>/revisions/", views.doc_revisions, name="revisions"),
    path("<slug:slug>/revisions/<int:number>/restore/", views.doc_restore, name="restore"),
]
