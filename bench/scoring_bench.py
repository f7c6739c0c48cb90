"""Backlog latency at 10,000 scored requests, next to a trivial view.

Builds a throwaway database, fills it with scored requests and their aggregates, then times
(median of several runs, in-process through the Django test client): the re-score of every
request after a model change, the backlog page, its htmx partial, the backlog API, and the
login page as the trivial baseline."""

import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prodops.settings.test")

import django

django.setup()

# Django must be set up before anything touching models is imported, hence E402 below.

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))


def _fill() -> object:
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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return lead


def _median_ms(call, runs: int = RUNS) -> float:
    call()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - start) * 1000)
        status = getattr(response, "status_code", 200)
        assert status == 200, status
    return statistics.median(times)


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from intake.scoring_services import scores_recompute_all, scoring_model_update

        lead = _fill()
        start = time.perf_counter()
        scored = scores_recompute_all()
        rescore_ms = (time.perf_counter() - start) * 1000
        client = Client()
        client.force_login(lead)
        anonymous = Client()
        weights = iter(range(10_000))

        def change_model():
            scoring_model_update(actor=lead, impact_weight=Decimal(1 + next(weights) % 9))

        results = [
            ("trivial view (login page)", _median_ms(lambda: anonymous.get("/accounts/login/"))),
            ("backlog page (50 rows)", _median_ms(lambda: client.get("/requests/backlog/"))),
            (
                "backlog htmx partial, filtered",
                _median_ms(
                    lambda: client.get("/requests/backlog/?status=scored", HTTP_HX_REQUEST="true")
                ),
            ),
            (
                "backlog page 100 of 200",
                _median_ms(lambda: client.get("/requests/backlog/?page=100")),
            ),
            ("GET /api/v1/backlog/ (50 rows)", _median_ms(lambda: client.get("/api/v1/backlog/"))),
            ("change weights + re-score all", _median_ms(change_model, runs=5)),
        ]
        print(f"scoring bench: {ROWS} scored requests ({scored} re-scored in {rescore_ms:.0f} ms)")
        for label, ms in results:
            print(f"  {label:<34} {ms:8.1f} ms (median of {RUNS if 'weights' not in label else 5})")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        del test_name


if __name__ == "__main__":
    main()
