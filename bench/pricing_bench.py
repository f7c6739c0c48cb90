"""The price book at 500 plans, each with three years of monthly and yearly prices, a review
cadence, and one plan in five with a decided change coming, next to the trivial view. The book
shows 50 plans a page: its first and last page and a filtered search are timed. Run alone
with `python bench/pricing_bench.py`, or with the others via `make bench`."""

import datetime as dt
from decimal import Decimal

from harness import analyze, baseline, client, measure, report, throwaway_database, timed

PLANS = 500
YEARS = (2023, 2024, 2025)


def build():
    """Products and plans bulk-inserted with their history and cadences; the upcoming changes
    as approved proposals. Returns the member who reads the book."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from pricing.models import (
        Plan,
        PricePoint,
        PriceProposal,
        Product,
        ProposalStatus,
        ProposedPrice,
    )
    from prodops.accounts.models import User
    from prodops.accounts.roles import Role
    from prodops.reviews.models import Cadence

    password = make_password("pw")
    lead, member = User.objects.bulk_create(
        [
            User(username="bench-lead", password=password, role=Role.LEAD),
            User(username="bench-member", password=password, role=Role.MEMBER),
        ]
    )
    products = Product.objects.bulk_create(
        [Product(name=f"Product {n}", owner=lead) for n in range(10)]
    )
    plans = Plan.objects.bulk_create(
        [Plan(product=products[n % 10], name=f"Plan {n}", owner=lead) for n in range(PLANS)]
    )
    PricePoint.objects.bulk_create(
        [
            PricePoint(
                plan=plan,
                amount=Decimal(base + year - 2023),
                currency="EUR",
                billing_period=period,
                effective_from=dt.date(year, 1, 1),
                effective_to=dt.date(year + 1, 1, 1) if year < YEARS[-1] else None,
                created_by=lead,
            )
            for plan in plans
            for period, base in (("month", 10), ("year", 100))
            for year in YEARS
        ]
    )
    today = timezone.localdate()
    plan_type = ContentType.objects.get_for_model(Plan)
    Cadence.objects.bulk_create(
        [
            Cadence(
                kind=Cadence.Kind.PRICE_PLAN,
                target_type=plan_type,
                target_id=plan.pk,
                title=f"Pricing review: {plan.name}",
                owner=lead,
                interval_days=91,
                next_due_on=today + dt.timedelta(days=n % 120 - 20),
            )
            for n, plan in enumerate(plans)
        ]
    )
    for n, plan in enumerate(plans[::5]):
        proposal = PriceProposal.objects.create(
            title=f"Change {n}",
            status=ProposalStatus.SCHEDULED,
            effective_on=today + dt.timedelta(days=60 + n % 30),
            rationale="Bench.",
            created_by=lead,
        )
        ProposedPrice.objects.create(
            proposal=proposal,
            plan=plan,
            amount=Decimal("12.00"),
            currency="EUR",
            billing_period="month",
        )
    analyze()
    return member


def main() -> None:
    with throwaway_database():
        member, seconds = timed(build)
        signed_in = client(member)
        report(
            "pricing",
            baseline(signed_in),
            [
                (f"price book, {PLANS} plans (first page)", measure(signed_in, "/pricing/")),
                ("price book, last page", measure(signed_in, "/pricing/?page=10")),
                (
                    "price book, name search + segment",
                    measure(signed_in, "/pricing/?q=Plan+4&segment=smb&status=active"),
                ),
                ("plans API (page of 50)", measure(signed_in, "/api/v1/pricing/plans/")),
            ],
            note=f"{PLANS} plans, {PLANS * 6} price points, built in {seconds:.1f} s",
        )


if __name__ == "__main__":
    main()
