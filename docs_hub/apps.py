from django.apps import AppConfig


class DocsHubConfig(AppConfig):
    name = "docs_hub"
    label = "docs_hub"
    verbose_name = "Documentation hub"

    def ready(self):
        from . import search_sources, signals

        search_sources.register()
        signals.connect()
