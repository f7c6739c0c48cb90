"""`manage.py seed_demo`: a believable demo workspace, safe to run again."""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from prodops.notifications.services import emails_muted

# Each step is a module with `seed(stdout) -> None`; order follows the data's dependencies.
DEMO_STEPS = [
    "prodops.accounts.demo",
    "outcomes.demo",
    "intake.demo",
    "intake.scoring_demo",
    "roadmap.demo",
    "outcomes.demo_metrics",
    "pricing.demo",
    "packs.demo",
    "docs_hub.demo",
    "outreach.demo",
]


class Command(BaseCommand):
    help = "Create demo departments, teams, people in every role and objectives (idempotent)."

    def handle(self, *args, **options):
        # Demo history is made up: keep it in the app, out of the demo people's inboxes.
        with transaction.atomic(), emails_muted():
            for step in DEMO_STEPS:
                importlib.import_module(step).seed(self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready. Sign in as admin, lead, member or stakeholder (password: demo)."
            )
        )
