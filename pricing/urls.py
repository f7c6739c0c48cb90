from django.urls import path

from . import views

app_name = "pricing"

urlpatterns = [
    path("", views.price_book, name="book"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/review/", views.plan_review, name="plan_review"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/new/", views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path(
        "proposals/<int:pk>/post-change-review/",
        views.post_change_review,
        name="post_change_review",
    ),
    path("proposals/<int:pk>/<slug:action>/", views.proposal_action, name="proposal_action"),
    path("readiness/<int:pk>/", views.readiness_action, name="readiness"),
]
