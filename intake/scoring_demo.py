"""Demo assessments: most triaged-or-later demo requests get one to three assessments from the
team, through the same service the app uses. Idempotent: assessed requests are left alone."""

import random
from decimal import Decimal

from prodops.accounts.models import User

from . import scoring
from .models import Request, RequestStatus
from .scoring_selectors import scoring_model_current
from .scoring_services import (
    ASSESSABLE_STATUSES,
    assessment_save,
    scores_recompute_all,
    scoring_model_update,
)

ASSESSORS = ["tom", "member", "nora", "omar", "priya", "lead"]
EFFORTS = [Decimal(x) for x in ("0.5", "1", "2", "3", "5", "8", "13", "20", "30")]
RATIONALES = [
    "Reuses the CRM fields we already sync; mostly configuration.",
    "Needs a data feed we do not have yet.",
    "Sales asked for this three times this quarter.",
    "Small change, but it touches pricing pages, so legal review is needed.",
    "Would remove a weekly manual export.",
    "Unclear owner on the CS side; confidence is low until we talk to them.",
    "",
]


def _keeps_waiting(request: Request) -> bool:
    # A third of the triaged requests stay unassessed so the triage queue has work in it.
    return request.status == RequestStatus.TRIAGED and request.pk % 3 == 0


def seed(stdout) -> None:
    people = {u.username: u for u in User.objects.filter(username__in=ASSESSORS, is_active=True)}
    lead = people.get("lead") or people.get("priya")
    model = scoring_model_current()
    if lead is not None and (model.pk is None or not model.cost_band_edges):
        scoring_model_update(
            actor=lead,
            expected_version=model.version,
            cost_band_edges=list(scoring.DEFAULT_BAND_EDGES),
        )
    assessors = [people[name] for name in ASSESSORS if name in people]
    if not assessors:
        return
    candidates = (
        Request.objects.filter(status__in=ASSESSABLE_STATUSES, assessments__isnull=True)
        .order_by("pk")
        .distinct()
    )
    count = 0
    for request in candidates:
        if _keeps_waiting(request):
            continue
        rng = random.Random(f"demo-assessment-{request.pk}")
        base_impact, base_feasibility = rng.randint(1, 5), rng.randint(1, 5)
        base_effort = rng.randrange(len(EFFORTS))
        reach = rng.choice([None, 20, 120, 400, 1500])
        for assessor in rng.sample(assessors, rng.randint(1, min(3, len(assessors)))):
            # Assessors mostly agree, sometimes by a point or two, so some spreads are wide.
            nudge = rng.choice([0, 0, 0, 1, -1, 2])
            assessment_save(
                request=request,
                assessor=assessor,
                impact=min(5, max(1, base_impact + nudge)),
                feasibility=min(5, max(1, base_feasibility + rng.choice([0, 0, 1, -1]))),
                effort_days=EFFORTS[
                    min(len(EFFORTS) - 1, max(0, base_effort + rng.choice([0, 0, 1, -1])))
                ],
                confidence=rng.choice([50, 80, 80, 100]),
                reach=reach,
                rationale=rng.choice(RATIONALES),
            )
        count += 1
    scored = scores_recompute_all()
    stdout.write(f"Scoring: assessed {count} more requests; {scored} requests have a score.\n")
