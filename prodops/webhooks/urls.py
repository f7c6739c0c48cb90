from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("<int:pk>/", views.endpoint_detail, name="detail"),
    path("<int:pk>/rotate-secret/", views.endpoint_rotate, name="rotate"),
    path("<int:pk>/delete/", views.endpoint_delete, name="delete"),
    path(
        "<int:pk>/deliveries/<int:delivery_id>/redeliver/",
        views.delivery_redeliver,
        name="redeliver",
    ),
]
