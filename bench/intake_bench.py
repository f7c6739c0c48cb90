"""Intake at 10,000 requests: triage queue page and similar-title search, next to a trivial
view, timed through Django's test Client in a throwaway database (`<DATABASE_URL>_bench`).

Run: python bench/intake_bench.py  (or python bench/run.py for every bench)."""

import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prodops.settings.test")

REQUESTS = 10_000
RUNS = 40
WORDS = [
    "pipeline",
    "dashboard",
    "quote",
    "renewal",
    "churn",
    "pricing",
    "onboarding",
    "email",
    "report",
    "forecast",
    "lead",
    "routing",
    "battlecard",
    "webinar",
    "survey",
    "health",
    "score",
    "invoice",
    "discount",
    "partner",
    "portal",
    "export",
]


def main() -> None:
    import django

    # Static files are served by the finders here; WhiteNoise's missing-folder warning is noise.
    warnings.filterwarnings("ignore", message="No directory at")

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    # The test machinery makes `test_<name>` and drops it afterwards; we add a suffix so a
    # developer's own test database is never touched.
    connection.settings_dict["TEST"]["NAME"] = f"{old_name}_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        _run(settings)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _run(settings) -> None:
    from django.test import Client

    from intake.models import Request
    from prodops.accounts.models import Department, User
    from prodops.accounts.roles import Role

    departments = [Department.objects.create(name=f"Dept {i}", slug=f"dept-{i}") for i in range(6)]
    member = User.objects.create_user("bench-member", password="x", role=Role.MEMBER)
    requesters = [
        User.objects.create_user(f"bench-{i}", password="x", department=departments[i % 6])
        for i in range(50)
    ]
    started = time.perf_counter()
    rows = []
    for i in range(REQUESTS):
        words = [WORDS[(i * k + k) % len(WORDS)] for k in (1, 3, 7, 11)]
        rows.append(
            Request(
                title=f"{' '.join(words).capitalize()} for team {i % 97}",
                description="Generated for the benchmark.",
                requester=requesters[i % 50],
                department=departments[i % 6],
                assignee=member if i % 3 == 0 else None,
                vote_count=i % 17,
                status=["new", "triaged", "scored", "accepted", "needs_info"][i % 5],
            )
        )
    Request.objects.bulk_create(rows, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE intake_request")
    print(f"intake bench: {REQUESTS} requests created in {time.perf_counter() - started:.1f}s")

    client = Client()
    client.force_login(member)
    cases = [
        ("trivial view (notification bell, 1 query)", "/notifications/bell/"),
        ("trivial view (/healthz: db + broker ping)", "/healthz"),
        ("triage queue page 1", "/requests/"),
        ("triage queue filtered + sorted by votes", "/requests/?status=new&sort=-vote_count"),
        ("triage queue page 100", "/requests/?page=100"),
        ("similar-title search (htmx fragment)", "/requests/similar/?q=pipeline+dashbord"),
        ("similar-title search (API)", "/api/v1/requests/similar/?q=renewal+churn+report"),
        ("request list API", "/api/v1/requests/"),
    ]
    print(f"{'case':48} {'median ms':>10} {'p95 ms':>8}")
    for label, url in cases:
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{label:48} {statistics.median(timings):10.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
