from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "roadmap"
    label = "roadmap"
    verbose_name = "Roadmap"
