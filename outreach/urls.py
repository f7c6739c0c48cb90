from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("", views.index, name="index"),
    path("preflight/", views.preflight_box, name="preflight"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/touches/", views.touch_log, name="touch_log"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
    path("contacts/<int:pk>/erase/", views.contact_erase, name="erase"),
    path("import/", views.import_csv, name="import"),
]
