from django.apps import AppConfig


class DocsHubConfig(AppConfig):
    name = "docs_hub"
    label = "docs_hub"
    verbose_name = "Documentation hub"

    def ready(self):
        from . import search_sources, signals

        search_sources.register()
        signals.connect()

        from roadmap.board import CARD_BADGES
        from roadmap.services import SHIP_CHECKS
        from roadmap.signals import item_planned

        from .readiness import on_item_planned, readiness_card_badges, ship_check

        item_planned.connect(on_item_planned, dispatch_uid="docs_hub.default_checklist")
        if ship_check not in SHIP_CHECKS:
            SHIP_CHECKS.append(ship_check)
        if readiness_card_badges not in CARD_BADGES:
            CARD_BADGES.append(readiness_card_badges)
