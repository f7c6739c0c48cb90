"""Latency of the roadmap board and the public share page at 200 items, next to a trivial view.

Runs against a throwaway test database (created and dropped here), through the full Django
stack (middleware, templates) with the test client, so numbers compare views, not networks.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prodops.settings.test")

import warnings

import django

# WhiteNoise warns that collectstatic has not run; static files are not part of this bench.
warnings.filterwarnings("ignore", message="No directory at")

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ITEMS = 200
RUNS = 30


def build():
    from intake.models import RequestStatus
    from roadmap import services
    from tests.factories import (
        MembershipFactory,
        ObjectiveFactory,
        RequestFactory,
        TeamFactory,
        UserFactory,
    )

    lead = UserFactory(username="bench-lead", role="lead")
    member = UserFactory(username="bench-member", role="member")
    team = TeamFactory(name="Bench Ops", slug="bench-ops", lead=lead)
    MembershipFactory(team=team, user=lead)
    MembershipFactory(team=team, user=member)
    objective = ObjectiveFactory(title="Bench objective")
    roadmap = services.roadmap_create(actor=lead, team=team, period="2027-Q1")
    for n in range(ITEMS):
        request = RequestFactory(status=RequestStatus.ACCEPTED, objective=objective)
        services.roadmap_item_create(
            roadmap=roadmap,
            actor=lead,
            requests=[request],
            objective=objective,
            estimate_days="0.2",
            lane=("now", "next", "later")[n % 3],
            visibility="shared" if n % 2 else "internal",
            public_title=f"Shared item {n}" if n % 2 else "",
        )
    link = services.share_link_create(roadmap=roadmap, actor=lead)
    return member, roadmap, link


def measure(client: Client, url: str) -> tuple[float, float, int]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(executed)


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        member, roadmap, link = build()
        signed_in = Client()
        signed_in.force_login(member)
        rows = [
            ("trivial view (login page)", Client(), "/accounts/login/"),
            (f"roadmap board, {ITEMS} items", signed_in, f"/roadmap/{roadmap.pk}/"),
            (f"share page, {ITEMS // 2} shared of {ITEMS}", Client(), f"/r/{link.token}/"),
            (
                f"items API, {ITEMS} items (page of 50)",
                signed_in,
                f"/api/v1/roadmaps/{roadmap.pk}/items/",
            ),
        ]
        print(f"{'view':45} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for label, client, url in rows:
            median, p95, queries = measure(client, url)
            print(f"{label:45} {median:10.1f} {p95:8.1f} {queries:8d}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
