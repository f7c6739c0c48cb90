from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("", views.index, name="index"),
    path("preflight/", views.preflight_box, name="preflight"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/touches/", views.touch_log, name="touch_log"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("accounts/new/", views.account_new, name="account_new"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path(
        "requests/<int:pk>/accounts/", views.request_account_picker, name="request_account_picker"
    ),
    path("requests/<int:pk>/accounts/add/", views.request_account_add, name="request_account_add"),
    path(
        "requests/<int:pk>/accounts/<int:account_pk>/remove/",
        views.request_account_remove,
        name="request_account_remove",
    ),
    path("contacts/<int:pk>/erase/", views.contact_erase, name="erase"),
    path("import/", views.import_csv, name="import"),
]
