"""Backlog at 10,000 scored requests, and the cost of re-ranking them all, next to the trivial
view. Run alone with `python bench/scoring_bench.py`, or with the others via `make bench`.

Every request gets a score record (the assessment aggregates scoring reads), so the timed
pages rank, filter and page through the whole set; "change weights + re-score all" is what a
lead's edit of the scoring model costs before the backlog shows the new order."""

from decimal import Decimal
from itertools import count

from harness import (
    analyze,
    baseline,
    client,
    measure,
    measure_call,
    report,
    throwaway_database,
    timed,
)

ROWS = 10_000
RESCORE_RUNS = 5
CASES = [
    ("backlog page (50 rows)", "/requests/backlog/", {}),
    (
        "backlog htmx partial, filtered",
        "/requests/backlog/?status=scored",
        {"HTTP_HX_REQUEST": "true"},
    ),
    ("backlog page 100 of 200", "/requests/backlog/?page=100", {}),
    ("GET /api/v1/backlog/ (50 rows)", "/api/v1/backlog/", {}),
]


def build():
    """Scored and accepted requests in one department, a third tied to an objective, each
    with a score record; returns the lead the pages are timed as."""
    from intake.assessments import RequestScore
    from intake.models import Request, RequestStatus
    from outcomes.models import Objective
    from prodops.accounts.models import Department, User

    department = Department.objects.create(name="Sales", slug="sales")
    objective = Objective.objects.create(title="Grow NRR", period="2027")
    requester = User.objects.create_user("bench-stakeholder", password="pw", role="stakeholder")
    lead = User.objects.create_user("bench-lead", password="pw", role="lead")
    requests = Request.objects.bulk_create(
        [
            Request(
                title=f"Bench request {i}",
                requester=requester,
                department=department,
                objective=objective if i % 3 == 0 else None,
                status=RequestStatus.SCORED if i % 10 else RequestStatus.ACCEPTED,
                vote_count=i % 7,
            )
            for i in range(ROWS)
        ],
        batch_size=2000,
    )
    RequestScore.objects.bulk_create(
        [
            RequestScore(
                request=r,
                assessment_count=2,
                mean_impact=Decimal(1 + i % 5),
                mean_feasibility=Decimal(1 + (i * 7) % 5),
                mean_effort=Decimal(1 + i % 30),
                mean_confidence=Decimal(80),
                mean_reach=Decimal(10 + i % 500),
                impact_min=1,
                impact_max=5,
                feasibility_min=1,
                feasibility_max=5,
                effort_min=Decimal(1),
                effort_max=Decimal(30),
                confidence_min=50,
                confidence_max=100,
            )
            for i, r in enumerate(requests)
        ],
        batch_size=2000,
    )
    analyze()
    return lead


def main() -> None:
    from_weights = count()

    with throwaway_database():
        from intake.scoring_selectors import scoring_model_current
        from intake.scoring_services import scores_recompute_all, scoring_model_update

        lead, build_seconds = timed(build)
        scored, rescore_seconds = timed(scores_recompute_all)
        signed_in = client(lead)

        def change_weights():
            # A different impact weight each call, so every call really re-ranks.
            weight = Decimal(1 + next(from_weights) % 9)
            scoring_model_update(
                actor=lead,
                expected_version=scoring_model_current().version,
                impact_weight=weight,
            )

        rows = [(label, measure(signed_in, url, **headers)) for label, url, headers in CASES]
        rows.append(
            ("change weights + re-score all", measure_call(change_weights, runs=RESCORE_RUNS))
        )
        report(
            "scoring",
            baseline(signed_in),
            rows,
            note=(
                f"{ROWS:,} scored requests, built in {build_seconds:.1f} s; "
                f"first re-score of {scored:,} took {rescore_seconds * 1000:.0f} ms"
            ),
        )


if __name__ == "__main__":
    main()
