"""Similar-request search: recall@1, recall@5 and MRR of the title-only method it replaced and
of the search service's method, on the labelled pairs in similar_pairs.py, then the server
time of the new method at 100,000 requests.

The pairs are split in two halves (`halves()`): the product vocabulary and the weights were
tuned looking at the development half only; the held-out half says how well that carries
over to needs nobody tuned for. Both are reported, with and without the filler.

Run with `python bench/similar_eval.py` (add `--no-timing` to skip the 100,000-request part).
`evaluate()` is also called by the test suite on the labelled set alone."""

import sys

from harness import analyze, measure_call, throwaway_database, timed
from similar_pairs import DISTRACTORS, PAIRS

FILLER = 100_000
DEPTH = 20  # ranks beyond this count as not found (MRR contribution 0)
FILLER_WORDS = [
    "pipeline", "dashboard", "quote", "renewal", "churn", "pricing", "onboarding", "email",
    "report", "forecast", "lead", "routing", "battlecard", "webinar", "survey", "health",
    "score", "invoice", "discount", "partner", "portal", "export", "contract", "account",
    "customer", "sales", "support", "ticket", "event", "campaign", "budget", "template",
]  # fmt: skip


def title_only_similar(*, user, q: str, limit: int):
    """The method this replaced: titles by trigram word similarity (at least 0.3), nearest
    first, votes breaking ties."""
    from django.contrib.postgres.search import TrigramWordDistance
    from django.db import connection, transaction

    from intake.models import RequestStatus
    from intake.selectors import request_visible

    q = (q or "").strip()
    qs = (
        request_visible(user=user)
        .filter(title__trigram_word_similar=q)
        .exclude(status=RequestStatus.DUPLICATE)
        .annotate(distance=TrigramWordDistance(q, "title"))
        .filter(distance__lte=0.7)
        .order_by("distance")
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', '0.3', true)")
        candidates = list(qs[:50])
    candidates.sort(key=lambda r: (r.distance, -r.vote_count, -r.pk))
    return candidates[:limit]


def search_service_similar(*, user, q: str, limit: int):
    from intake.selectors import request_similar

    return request_similar(user=user, q=q, limit=limit)


METHODS = [("title-only word similarity (before)", title_only_similar),
           ("search service, title + description (now)", search_service_similar)]  # fmt: skip


def load_set():
    """The filed requests and distractors as rows; returns (member, [(query, target id)])."""
    from intake.models import Request
    from prodops.accounts.models import User
    from prodops.accounts.roles import Role

    member, _ = User.objects.get_or_create(username="eval-member", defaults={"role": Role.MEMBER})
    requester, _ = User.objects.get_or_create(username="eval-requester")
    filed = Request.objects.bulk_create(
        [Request(title=t, description=d, requester=requester) for t, d, _ in PAIRS]
        + [Request(title=t, description=d, requester=requester) for t, d in DISTRACTORS]
    )
    return member, [(typed, row.pk) for (_, _, typed), row in zip(PAIRS, filed, strict=False)]


def halves(cases):
    """(development, held-out): every other pair, so both halves cover the whole set."""
    return {"dev": cases[0::2], "held-out": cases[1::2], "all": cases}


def print_table(member, cases, prefix="") -> None:
    print(f"{prefix}{'method':46} {'half':9} {'n':>4} {'recall@1':>9} {'recall@5':>9} {'MRR':>6}")
    for label, method in METHODS:
        for half, subset in halves(cases).items():
            m = evaluate(method, user=member, cases=subset)
            print(
                f"{prefix}{label:46} {half:9} {m['n']:4} {m['recall@1']:9.3f}"
                f" {m['recall@5']:9.3f} {m['mrr']:6.3f}"
            )


def evaluate(method, *, user, cases) -> dict:
    hits1 = hits5 = 0
    reciprocal = 0.0
    for q, target in cases:
        ids = [r.pk for r in method(user=user, q=q, limit=DEPTH)]
        if target in ids:
            rank = ids.index(target) + 1
            reciprocal += 1 / rank
            hits1 += rank == 1
            hits5 += rank <= 5
    n = len(cases)
    return {"recall@1": hits1 / n, "recall@5": hits5 / n, "mrr": reciprocal / n, "n": n}


def add_filler(count: int, requester) -> None:
    from intake.models import Request

    words = FILLER_WORDS
    rows = []
    for i in range(count):
        picked = [words[(i * k + k) % len(words)] for k in (1, 3, 7, 11, 13)]
        rows.append(
            Request(
                title=f"{' '.join(picked[:4]).capitalize()} for team {i % 97}",
                description=f"Generated filler about {picked[4]} and {picked[0]} work.",
                requester=requester,
                vote_count=i % 17,
            )
        )
        if len(rows) == 5000:
            Request.objects.bulk_create(rows)
            rows = []
    Request.objects.bulk_create(rows)
    analyze()


def main() -> None:
    timing = "--no-timing" not in sys.argv
    with throwaway_database("_similar"):
        member, cases = load_set()
        print(f"{len(cases)} labelled pairs, {len(DISTRACTORS)} distractors\n")
        print_table(member, cases)
        if not timing:
            return
        from prodops.accounts.models import User

        _, seconds = timed(lambda: add_filler(FILLER, User.objects.get(username="eval-requester")))
        print(f"\n{FILLER:,} filler requests added in {seconds:.1f} s\n")
        print_table(member, cases, prefix=f"at {FILLER:,}: ")
        queries = [q for q, _ in cases[:40]]
        rows = []
        for label, method in METHODS:
            state = {"i": 0}

            def one(method=method, state=state):
                q = queries[state["i"] % len(queries)]
                state["i"] += 1
                return method(user=member, q=q, limit=5)

            rows.append((label, measure_call(one, runs=80)))
        print()
        for label, m in rows:
            print(f"{label:46} median {m.median_ms:.1f} ms  p95 {m.p95_ms:.1f} ms")


if __name__ == "__main__":
    main()
