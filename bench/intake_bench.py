"""Intake at 10,000 requests: the triage queue and similar-title search, next to the trivial
view. Run alone with `python bench/intake_bench.py`, or with the others via `make bench`."""

from harness import analyze, baseline, client, measure, report, throwaway_database, timed

REQUESTS = 10_000
REQUESTERS = 50
DEPARTMENTS = 6
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
CASES = [
    ("healthz (database + broker ping)", "/healthz"),
    ("triage queue page 1", "/requests/"),
    ("triage queue filtered + sorted by votes", "/requests/?status=new&sort=-vote_count"),
    ("triage queue page 100", "/requests/?page=100"),
    ("similar-title search (htmx fragment)", "/requests/similar/?q=pipeline+dashbord"),
    ("similar-title search (API)", "/api/v1/requests/similar/?q=renewal+churn+report"),
    ("request list API", "/api/v1/requests/"),
]


def build():
    """Requests with titles made of four of WORDS (so similar titles exist), spread over
    departments, requesters, statuses and vote counts; a third assigned to the member the
    pages are timed as. Returns that member."""
    from django.contrib.auth.hashers import make_password

    from intake.models import Request
    from prodops.accounts.models import Department, User
    from prodops.accounts.roles import Role

    departments = Department.objects.bulk_create(
        [Department(name=f"Dept {i}", slug=f"dept-{i}") for i in range(DEPARTMENTS)]
    )
    password = make_password("x")
    member, *requesters = User.objects.bulk_create(
        [User(username="bench-member", password=password, role=Role.MEMBER)]
        + [
            User(
                username=f"bench-{i}",
                password=password,
                department=departments[i % DEPARTMENTS],
            )
            for i in range(REQUESTERS)
        ]
    )
    rows = []
    for i in range(REQUESTS):
        words = [WORDS[(i * k + k) % len(WORDS)] for k in (1, 3, 7, 11)]
        rows.append(
            Request(
                title=f"{' '.join(words).capitalize()} for team {i % 97}",
                description="Generated for the benchmark.",
                requester=requesters[i % REQUESTERS],
                department=departments[i % DEPARTMENTS],
                assignee=member if i % 3 == 0 else None,
                vote_count=i % 17,
                status=["new", "triaged", "scored", "accepted", "needs_info"][i % 5],
            )
        )
    Request.objects.bulk_create(rows, batch_size=2000)
    analyze()
    return member


def main() -> None:
    with throwaway_database():
        member, seconds = timed(build)
        signed_in = client(member)
        report(
            "intake",
            baseline(signed_in),
            [(label, measure(signed_in, url)) for label, url in CASES],
            note=f"{REQUESTS:,} requests, built in {seconds:.1f} s",
        )


if __name__ == "__main__":
    main()
