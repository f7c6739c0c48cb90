"""The one search at 10,000 docs and 100,000 requests: the header search (docs, requests,
roadmap items, grouped), the docs hub's doc search, similar-request suggestions and the
search API, as a member and as a stakeholder. Run alone with
`python bench/search_bench.py`, or with the others via `make bench`."""

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

DOCS = 10_000
REQUESTS = 100_000
WORDS = [
    "pipeline", "dashboard", "quote", "renewal", "churn", "pricing", "onboarding", "email",
    "report", "forecast", "lead", "routing", "battlecard", "webinar", "survey", "health",
    "score", "invoice", "discount", "partner", "portal", "export", "contract", "account",
    "customer", "sales", "support", "ticket", "event", "campaign", "budget", "template",
    "billing", "password", "login", "calendar", "territory", "commission", "refund", "tax",
]  # fmt: skip
QUERIES = ["invoice export", "renewal forecast", "pasword", "onboard", "partner portal pricing"]


def build():
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from docs_hub.models import Doc
    from intake.models import Request
    from prodops.accounts.models import User
    from prodops.accounts.roles import Role

    password = make_password("x")
    member, stakeholder = User.objects.bulk_create(
        [
            User(username="bench-member", password=password, role=Role.MEMBER),
            User(username="bench-stakeholder", password=password, role=Role.STAKEHOLDER),
        ]
    )
    audiences = ["team", "stakeholders", "customers"]
    docs = []
    for i in range(DOCS):
        picked = [WORDS[(i * k + k) % len(WORDS)] for k in (1, 3, 7, 11, 13, 17)]
        docs.append(
            Doc(
                title=f"{' '.join(picked[:3]).capitalize()} guide {i}",
                slug=f"doc-{i}",
                body=" ".join(f"How the {w} works, step by step, for {picked[0]}." for w in picked)
                * 4,
                audience=audiences[i % 3],
                status="published" if i % 4 else "draft",
                owner=member,
                tags=picked[3:5],
            )
        )
    Doc.objects.bulk_create(docs, batch_size=2000)
    with connection.cursor() as cursor:  # what doc_search_vector_refresh stores on every save
        cursor.execute(
            "UPDATE docs_hub_doc SET search_vector ="
            " setweight(to_tsvector('english', title), 'A')"
            " || setweight(to_tsvector('english', array_to_string(tags, ' ')), 'B')"
            " || setweight(to_tsvector('english', body), 'C')"
        )
    rows = []
    for i in range(REQUESTS):
        picked = [WORDS[(i * k + k) % len(WORDS)] for k in (1, 3, 7, 11, 13)]
        rows.append(
            Request(
                title=f"{' '.join(picked[:4]).capitalize()} for team {i % 97}",
                description=f"Generated request about {picked[4]} and {picked[0]}.",
                requester=stakeholder if i % 10 == 0 else member,
                visible_to_stakeholders=i % 3 != 0,
                vote_count=i % 17,
            )
        )
        if len(rows) == 5000:
            Request.objects.bulk_create(rows)
            rows = []
    Request.objects.bulk_create(rows)
    analyze()
    return member, stakeholder


def main() -> None:
    from urllib.parse import quote

    with throwaway_database("_search"):
        (member, stakeholder), seconds = timed(build)
        from intake.selectors import request_similar
        from prodops.search import engine

        rows = []
        for who, user in (("member", member), ("stakeholder", stakeholder)):
            for q in QUERIES[:3]:
                rows.append(
                    (
                        f"search service, everything, {who}: {q!r}",
                        measure_call(lambda user=user, q=q: engine.search_all(user=user, q=q)),
                    )
                )
        for q in QUERIES:
            rows.append(
                (
                    f"similar requests, member: {q!r}",
                    measure_call(lambda q=q: request_similar(user=member, q=q)),
                )
            )
        signed_in = client(member)
        for q in QUERIES[:2]:
            rows.append(
                (f"GET /api/v1/search/?q={q}", measure(signed_in, f"/api/v1/search/?q={quote(q)}"))
            )
            rows.append(
                (
                    f"header dropdown ?q={q}",
                    measure(
                        signed_in,
                        f"/search/?q={quote(q)}",
                        HTTP_HX_REQUEST="true",
                        HTTP_HX_TARGET="header-search-results",
                    ),
                )
            )
        report(
            "search",
            baseline(signed_in),
            rows,
            note=f"{DOCS:,} docs and {REQUESTS:,} requests, built in {seconds:.1f} s",
        )


if __name__ == "__main__":
    main()
