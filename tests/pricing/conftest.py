import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from pricing import services
from pricing.models import BillingPeriod, Plan, PricePoint, Product

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def product(lead):
    return Product.objects.create(name="Prodops Cloud", owner=lead)


@pytest.fixture
def plan(product, lead):
    plan = services.plan_create(actor=lead, product=product, name="Pro", owner=lead)
    PricePoint.objects.create(
        plan=plan,
        amount=Decimal("49.00"),
        currency="EUR",
        billing_period=BillingPeriod.MONTH,
        effective_from=dt.date(2024, 1, 1),
        created_by=lead,
    )
    return plan


def make_proposal(*, lead, plan: Plan, amount="53.90", today=TODAY, days=61, **extra):
    return services.proposal_create(
        actor=lead,
        title="Pro up",
        rationale="Costs went up.",
        effective_on=today + dt.timedelta(days=days),
        lines=[{"plan": plan, "amount": amount, "currency": "EUR", "billing_period": "month"}],
        today=today,
        **extra,
    )


def now():
    return timezone.now()
