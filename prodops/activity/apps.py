from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "prodops.activity"
    label = "activity"
    verbose_name = "Activity"
