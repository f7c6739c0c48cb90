"""Demo price book: two products, six plans with three years of price history, one change
waiting for its admin approval and one pricing review overdue. Idempotent: a product that
exists is left alone."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from prodops.accounts.models import User
from prodops.reviews.models import Cadence

from . import selectors, services
from .models import Plan, PricePoint, Product, Segment

# product → [(plan, segment, status, [monthly EUR prices from each history date])]
CATALOGUE = {
    "Prodops Cloud": [
        ("Starter", Segment.SELF_SERVE, Plan.Status.ACTIVE, ["19.00", "19.00", "24.00"]),
        ("Team", Segment.SMB, Plan.Status.ACTIVE, ["39.00", "45.00", "49.00"]),
        ("Business", Segment.MID_MARKET, Plan.Status.ACTIVE, ["89.00", "99.00", "109.00"]),
        ("Classic", Segment.SMB, Plan.Status.LEGACY, ["29.00", "29.00", "29.00"]),
    ],
    "Prodops Insights": [
        ("Basic", Segment.SMB, Plan.Status.ACTIVE, ["9.00", "12.00", "12.00"]),
        ("Enterprise", Segment.ENTERPRISE, Plan.Status.ACTIVE, ["499.00", "549.00", "599.00"]),
    ],
}
# Roughly three years of history, counted back from today.
HISTORY_DAYS_AGO = (1095, 640, 200)
# A year costs ten months.
YEARLY_MONTHS = 10


def seed(stdout) -> None:
    lead = User.objects.get(username="priya")
    owner = User.objects.get(username="lead")
    admin = User.objects.get(username="admin")
    today = timezone.localdate()
    plans = {}
    for product_name, rows in CATALOGUE.items():
        if Product.objects.filter(name=product_name).exists():
            continue
        product = services.product_create(actor=admin, name=product_name, owner=owner)
        for name, segment, status, prices in rows:
            plan = services.plan_create(
                actor=lead,
                product=product,
                name=name,
                segment=segment,
                status=status,
                owner=lead,
                first_review_on=today + dt.timedelta(days=10 + 7 * len(plans)),
            )
            plans[name] = plan
            _history(plan, prices, lead, today)
    if not plans:
        return
    # The Team plan's review is overdue (escalated to its product's owner).
    cadence = selectors.cadence_of(plans["Team"])
    Cadence.objects.filter(pk=cadence.pk).update(next_due_on=today - dt.timedelta(days=6))
    # A raise above the threshold: the lead approved, the admin has not yet.
    proposal = services.proposal_create(
        actor=lead,
        title="Business to 129 with the new reporting module",
        rationale="Reporting shipped; win rate in mid-market is 71 % at the current price.",
        input_win_loss="Won 22 of 31 mid-market deals last quarter; price never the loss reason.",
        input_competitor="Acme Ops Business is 139, Flowboard Pro 119.",
        input_usage="64 % of Business accounts used reporting weekly in the beta.",
        expected_effect="New MRR in mid-market +12 % with win rate above 65 %.",
        # Tied to the outcomes demo's churn metric when it is there: with reporting in the
        # plan, early churn should fall by 0.3 points despite the raise.
        **_metric_fields(today + dt.timedelta(days=90)),
        affected_customers=180,
        grandfathering="until",
        grandfathered_until=today + dt.timedelta(days=270),
        effective_on=today + dt.timedelta(days=90),
        lines=[
            {
                "plan": plans["Business"],
                "amount": "129.00",
                "currency": "EUR",
                "billing_period": "month",
            },
        ],
    )
    proposal = services.proposal_submit(proposal=proposal, actor=lead)
    services.proposal_approve(proposal=proposal, actor=owner, note="Numbers hold up.")
    stdout.write(f"Pricing: {len(plans)} plans, one change waiting for approval.")


def _metric_fields(effective_on: dt.date) -> dict:
    from outcomes.models import Metric

    metric = Metric.objects.filter(name="Churn in the first 90 days").first()
    if metric is None:
        return {}
    return {
        "metric": metric,
        "expected_change": Decimal("-0.3"),
        "expected_by": effective_on + dt.timedelta(days=90),
    }


def _history(plan: Plan, prices: list[str], actor, today: dt.date) -> None:
    starts = [today - dt.timedelta(days=days) for days in HISTORY_DAYS_AGO]
    for i, (start, amount) in enumerate(zip(starts, prices, strict=True)):
        end = starts[i + 1] if i + 1 < len(starts) else None
        for period, factor in (("month", 1), ("year", YEARLY_MONTHS)):
            PricePoint.objects.create(
                plan=plan,
                amount=Decimal(amount) * factor,
                currency="EUR",
                billing_period=period,
                effective_from=start,
                effective_to=end,
                created_by=actor,
                note="Price list of that year" if i else "Launch price",
            )
