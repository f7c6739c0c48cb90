from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"
