"""Assembling a quarterly review pack over a quarter with 10,000 requests and 200 roadmap
items, next to the trivial view. Run alone with `python bench/packs_bench.py`, or with the
others via `make bench`. Target: at most 2 s, with a query count that does not grow.

The quarter (2026-Q3) holds 10,000 requests of one team from 20 departments, received across
the quarter; most triaged (hours to triage vary), with a decision recorded for a third of
them, and 300 still untriaged. Its roadmap holds 200 items, all in the first snapshot; half
shipped, 20 moved to the next quarter, 10 added after the snapshot; 150 unplanned entries
from 15 people asking in five categories, and a few over-commit overrides. Outcomes: 50
metrics of the team with a measurement a day for the year, 100 revisits recorded in the
quarter; docs: 300 owned by the team's member, a third published in the quarter, some stale;
pricing: 40 plans each reviewed in the quarter, with a cadence, a fifth of them overdue."""

import datetime as dt
from decimal import Decimal

from harness import (
    analyze,
    baseline,
    client,
    count_queries,
    measure,
    measure_call,
    report,
    throwaway_database,
    timed,
)

REQUESTS = 10_000
ITEMS = 200
DEPARTMENTS = 20
PERIOD = "2026-Q3"


def build():
    from django.contrib.auth.hashers import make_password

    from intake.models import Request, RequestStatus, StatusChange
    from outcomes.models import Objective
    from packs import services as pack_services
    from prodops.accounts.models import Department, Team, TeamMembership, User
    from prodops.accounts.roles import Role
    from roadmap import snapshots
    from roadmap.models import (
        ItemPeriodMove,
        Overcommit,
        Roadmap,
        RoadmapItem,
        Snapshot,
        UnplannedEntry,
    )

    password = make_password("pw")
    lead, member, requester = User.objects.bulk_create(
        [
            User(username="bench-lead", password=password, role=Role.LEAD),
            User(username="bench-member", password=password, role=Role.MEMBER),
            User(username="bench-requester", password=password),
        ]
    )
    team = Team.objects.create(name="Bench Ops", slug="bench-ops", lead=lead)
    TeamMembership.objects.bulk_create(
        [TeamMembership(team=team, user=lead), TeamMembership(team=team, user=member)]
    )
    departments = Department.objects.bulk_create(
        [Department(name=f"Department {n}", slug=f"department-{n}") for n in range(DEPARTMENTS)]
    )
    objectives = Objective.objects.bulk_create(
        [
            Objective(title=f"Objective {n}", level="business", period="2026", status="active")
            for n in range(10)
        ]
    )
    start = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    statuses = [
        RequestStatus.ACCEPTED,
        RequestStatus.DECLINED,
        RequestStatus.DEFLECTED,
        RequestStatus.DUPLICATE,
        RequestStatus.TRIAGED,
    ]
    rows = []
    for n in range(REQUESTS):
        created = start + dt.timedelta(minutes=13 * n)
        untriaged = n % 33 == 0
        rows.append(
            Request(
                title=f"Request number {n}",
                requester=requester,
                department=departments[n % DEPARTMENTS],
                audience=("internal", "external", "both")[n % 3],
                team=team,
                status=RequestStatus.NEW if untriaged else statuses[n % 5],
                first_triaged_at=None if untriaged else created + dt.timedelta(hours=n % 97),
            )
        )
    requests = Request.objects.bulk_create(rows, batch_size=2000)
    Request.objects.filter(team=team).update(created_at=start)  # then spread below
    for n, request in enumerate(requests):
        request.created_at = start + dt.timedelta(minutes=13 * n)
    Request.objects.bulk_update(requests, ["created_at"], batch_size=2000)
    changes = StatusChange.objects.bulk_create(
        [
            StatusChange(request=r, from_status="scored", to_status=r.status)
            for r in requests[::3]
            if r.status != RequestStatus.NEW
        ],
        batch_size=2000,
    )
    StatusChange.objects.filter(pk__in=[c.pk for c in changes]).update(
        created_at=start + dt.timedelta(days=30)
    )
    q3 = Roadmap.objects.create(
        team=team, period=PERIOD, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30)
    )
    q4 = Roadmap.objects.create(
        team=team,
        period="2026-Q4",
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 12, 31),
    )
    items = RoadmapItem.objects.bulk_create(
        [
            RoadmapItem(
                roadmap=q3,
                title=f"Item {n}",
                objective=objectives[n % 10],
                estimate_days=Decimal("0.3"),
                visibility="shared" if n % 2 else "internal",
                public_title=f"Shared item {n}" if n % 2 else "",
                position=n,
            )
            for n in range(ITEMS)
        ]
    )
    Snapshot.objects.create(roadmap=q3, data=snapshots.roadmap_state(items), taken_by=lead)
    RoadmapItem.objects.filter(pk__in=[i.pk for i in items[::2]]).update(status="shipped")
    moved = items[1:41:2]
    RoadmapItem.objects.filter(pk__in=[i.pk for i in moved]).update(roadmap=q4)
    ItemPeriodMove.objects.bulk_create(
        [ItemPeriodMove(item=i, from_roadmap=q3, to_roadmap=q4) for i in moved]
    )
    RoadmapItem.objects.bulk_create(
        [
            RoadmapItem(
                roadmap=q3,
                title=f"Late item {n}",
                objective=objectives[0],
                estimate_days=Decimal("0.5"),
                position=ITEMS + n,
            )
            for n in range(10)
        ]
    )
    UnplannedEntry.objects.bulk_create(
        [
            UnplannedEntry(
                roadmap=q3,
                day=dt.date(2026, 8, 1) + dt.timedelta(days=n % 50),
                days=Decimal("0.1"),
                what="Fire drill",
                requested_by=f"Asker {n % 15}",
                category=UnplannedEntry.Category.values[n % 5],
            )
            for n in range(150)
        ]
    )
    Overcommit.objects.bulk_create(
        [
            Overcommit(
                roadmap=q3,
                reason=f"Reason {n}",
                planned_days=Decimal(80),
                plannable_days=Decimal(75),
                actor=lead,
            )
            for n in range(5)
        ]
    )
    _outcomes_docs_pricing(team=team, member=member, lead=lead, items=items, objectives=objectives)
    pack = pack_services.pack_create(actor=lead, team=team, period=PERIOD)
    analyze()
    return member, lead, pack


def _outcomes_docs_pricing(*, team, member, lead, items, objectives) -> None:
    from docs_hub.models import Doc
    from outcomes.models import Contribution, Measurement, Metric, Revisit
    from pricing.models import Plan, PricingReview, Product
    from prodops.reviews.models import Cadence

    year = dt.date(2026, 1, 1)
    metrics = Metric.objects.bulk_create(
        [
            Metric(
                name=f"Metric {n}",
                unit="%",
                baseline_value=Decimal(10),
                baseline_on=year,
                target_value=Decimal(20),
                target_on=dt.date(2026, 12, 31),
                objective=objectives[n % 10],
                team=team,
            )
            for n in range(50)
        ]
    )
    Measurement.objects.bulk_create(
        [
            Measurement(
                metric=m, measured_on=year + dt.timedelta(days=d), value=Decimal(10 + d / 40)
            )
            for m in metrics
            for d in range(0, 365)
        ],
        batch_size=5000,
    )
    contributions = Contribution.objects.bulk_create(
        [
            Contribution(
                metric=metrics[n % 50],
                roadmap_item=items[n],
                expected_change=Decimal(1),
                expected_by=dt.date(2026, 8, 1),
            )
            for n in range(100)
        ]
    )
    Revisit.objects.bulk_create(
        [
            Revisit(
                contribution=c,
                due_on=dt.date(2026, 8, 1),
                outcome=("moved", "not_moved", "inconclusive")[n % 3],
                observed_change=Decimal(1),
                recorded_at=dt.datetime(2026, 8, 2, tzinfo=dt.UTC),
            )
            for n, c in enumerate(contributions)
        ]
    )
    Doc.objects.bulk_create(
        [
            Doc(
                title=f"Doc {n}",
                slug=f"doc-{n}",
                owner=member,
                audience=("team", "stakeholders", "customers")[n % 3],
                status="published",
                published_at=dt.datetime(2026, 4 + n % 6, 1, tzinfo=dt.UTC),
                last_verified_on=dt.date(2026, 1 + n % 9, 1),
            )
            for n in range(300)
        ]
    )
    product = Product.objects.create(name="Bench product")
    plans = Plan.objects.bulk_create([Plan(product=product, name=f"Plan {n}") for n in range(40)])
    PricingReview.objects.bulk_create(
        [
            PricingReview(
                plan=p,
                held_on=dt.date(2026, 8, 1),
                decision="keep",
                rationale="Steady",
                held_by=lead,
            )
            for p in plans
        ]
    )
    for n, plan in enumerate(plans):
        Cadence.objects.create(
            kind=Cadence.Kind.PRICE_PLAN,
            target=plan,
            title=f"Pricing review: {plan}",
            next_due_on=dt.date(2026, 9, 1) if n % 5 == 0 else dt.date(2026, 11, 1),
        )


def main() -> None:
    with throwaway_database():
        from packs import selectors

        (member, lead, pack), seconds = timed(build)
        signed_in = client(member)
        scope = selectors.scope_of(pack)
        figures = selectors.figures_compute(scope)["sections"]
        assert figures["intake"]["received"] == REQUESTS, figures["intake"]["received"]
        assert figures["roadmap"]["planned_at_start"] == ITEMS
        assert len(figures["metrics"]["metrics"]) == 50, figures["metrics"]
        assert figures["metrics"]["revisits_recorded"] == 100
        assert figures["pricing"]["reviews_held"] == 40
        assert figures["pricing"]["still_overdue"] == 8
        assert len(figures["buffer"]["by_category"]) == 5
        report(
            "packs",
            baseline(signed_in),
            [
                (
                    f"assemble a pack: {REQUESTS:,} requests, {ITEMS} items",
                    measure_call(lambda: selectors.figures_compute(scope), runs=10),
                ),
                (
                    "pack page (draft, live figures)",
                    measure(signed_in, f"/packs/{pack.pk}/", runs=10),
                ),
                (
                    "pack API (every section)",
                    measure(signed_in, f"/api/v1/review-packs/{pack.pk}/", runs=10),
                ),
                ("pack PDF", measure(client(lead), f"/packs/{pack.pk}/pdf/", runs=5)),
            ],
            note=(
                f"{REQUESTS:,} requests, {ITEMS} items, built in {seconds:.1f} s; "
                f"assembling queries: {count_queries(lambda: selectors.figures_compute(scope))}"
            ),
        )


if __name__ == "__main__":
    main()
