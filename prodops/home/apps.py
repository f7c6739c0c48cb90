from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "prodops.home"
    label = "home"
    verbose_name = "Home"
