"""Demo review packs: for each demo team with a roadmap last quarter, a final pack of last
quarter with a narrative, decisions and a commitment (reopened once, so it has history), a
share link, and a draft pack of this quarter; plus every team's quarterly review cadence.
Idempotent."""

import datetime as dt

from django.utils import timezone

from prodops.accounts.models import Team
from prodops.core.periods import quarter_of
from prodops.core.selectors import workspace_settings

from . import selectors, services
from .models import ReviewPack

DEMO_TEAMS = ("marketing-ops", "product-ops")


def seed(stdout) -> None:
    fiscal = workspace_settings().fiscal_year_start_month
    current = quarter_of(timezone.localdate(), fiscal_start_month=fiscal)
    previous = selectors.previous_quarter(current.label)
    made = 0
    for team in Team.objects.filter(slug__in=DEMO_TEAMS, lead__isnull=False).select_related("lead"):
        lead = team.lead
        if not ReviewPack.objects.filter(team=team, period=previous).exists():
            pack = services.pack_create(actor=lead, team=team, period=previous)
            pack = services.pack_update(
                pack=pack,
                actor=lead,
                narrative=(
                    f"{team.name} shipped most of what it planned; unplanned asks from Sales "
                    "ate into the buffer in the last month."
                ),
                decisions="- Keep the buffer at 25 %.\n- Review routing rules for Sales asks.",
                internal_notes="Two people were out for three weeks.",
            )
            services.commitment_add(pack=pack, actor=lead, title="Cut time to triage to a day")
            pack = services.pack_finalize(pack=pack, actor=lead)
            # Reopened once and final again, so the pack shows its history.
            pack = services.pack_reopen(
                pack=pack, actor=lead, reason="An unplanned entry was logged after finalizing."
            )
            pack = services.pack_finalize(pack=pack, actor=lead)
            services.share_link_create(
                pack=pack,
                actor=lead,
                label="Quarterly business review",
                expires_at=timezone.now() + dt.timedelta(days=30),
            )
            made += 1
        if not ReviewPack.objects.filter(team=team, period=current.label).exists():
            services.pack_create(actor=lead, team=team, period=current.label)
            made += 1
    services.quarterly_cadences_ensure()
    stdout.write(f"Review packs: {made} created.")
