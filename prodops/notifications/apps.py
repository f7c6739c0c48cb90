from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "prodops.notifications"
    label = "notifications"
    verbose_name = "Notifications"
