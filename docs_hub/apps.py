from django.apps import AppConfig


class DocsHubConfig(AppConfig):
    name = "docs_hub"
    label = "docs_hub"
    verbose_name = "Documentation hub"

    def ready(self):
        from . import search_sources, signals

        search_sources.register()
        signals.connect()

        from roadmap.services import SHIP_CHECKS

        from .readiness import ship_check

        if ship_check not in SHIP_CHECKS:
            SHIP_CHECKS.append(ship_check)
