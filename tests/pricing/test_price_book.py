"""The price book: no overlapping prices (refused by the database), currencies, money."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from pricing import selectors, services
from pricing.models import PricePoint
from prodops.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_overlap_is_refused_by_the_database_itself(plan):
    """Raw SQL bypasses every Python check: the exclusion constraint still refuses."""
    with (
        pytest.raises(IntegrityError, match="pricing_price_points_do_not_overlap"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO pricing_pricepoint (plan_id, amount, currency, billing_period,"
            " effective_from, effective_to, note, created_at)"
            " VALUES (%s, 59, 'EUR', 'month', '2025-06-01', NULL, '', now())",
            [plan.pk],
        )


def test_overlap_refused_through_the_orm_without_validation(plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        PricePoint.objects.create(
            plan=plan,
            amount=Decimal("10"),
            currency="EUR",
            billing_period="month",
            effective_from=dt.date(2023, 1, 1),
            effective_to=dt.date(2024, 1, 2),
        )


def test_adjacent_and_other_currency_or_period_prices_are_allowed(plan):
    PricePoint.objects.filter(plan=plan).update(effective_to=dt.date(2025, 1, 1))
    PricePoint.objects.create(
        plan=plan,
        amount=Decimal("55"),
        currency="EUR",
        billing_period="month",
        effective_from=dt.date(2025, 1, 1),
    )
    PricePoint.objects.create(
        plan=plan,
        amount=Decimal("55"),
        currency="USD",
        billing_period="month",
        effective_from=dt.date(2024, 1, 1),
    )
    PricePoint.objects.create(
        plan=plan,
        amount=Decimal("490"),
        currency="EUR",
        billing_period="year",
        effective_from=dt.date(2024, 1, 1),
    )
    assert PricePoint.objects.filter(plan=plan).count() == 4


def test_service_turns_overlap_into_a_message_naming_the_field(plan, lead):
    with pytest.raises(ValidationFailed) as refused:
        services.price_point_record(
            actor=lead,
            plan=plan,
            amount="59.00",
            currency="EUR",
            billing_period="month",
            effective_from=dt.date(2025, 3, 1),
        )
    assert refused.value.field == "effective_from"


@pytest.mark.parametrize("code", ["EURO", "XXX", ""])
def test_currency_must_be_iso_4217(plan, lead, code):
    with pytest.raises(ValidationFailed) as refused:
        services.price_point_record(
            actor=lead,
            plan=plan,
            amount="5",
            currency=code,
            billing_period="year",
            effective_from=dt.date(2020, 1, 1),
        )
    assert refused.value.field == "currency"


def test_money_never_goes_through_floats():
    with pytest.raises(ValidationFailed) as refused:
        services.money(19.99)
    assert refused.value.field == "amount"
    with pytest.raises(ValidationFailed):
        services.money("19.999")
    assert services.money("19.99") == Decimal("19.99")
    assert isinstance(services.money(20), Decimal)


def test_amount_is_stored_exactly(plan, lead):
    point = services.price_point_record(
        actor=lead,
        plan=plan,
        amount="0.10",
        currency="USD",
        billing_period="month",
        effective_from=dt.date(2020, 1, 1),
    )
    point.refresh_from_db()
    assert point.amount == Decimal("0.10")
    assert (point.amount * 3) == Decimal("0.30")  # 0.1 * 3 as a float is 0.30000000000000004


def test_history_lists_every_price_with_who_and_decision(plan, lead):
    PricePoint.objects.filter(plan=plan).update(effective_to=dt.date(2025, 1, 1))
    services.price_point_record(
        actor=lead,
        plan=plan,
        amount="55",
        currency="EUR",
        billing_period="month",
        effective_from=dt.date(2025, 1, 1),
        note="Board decision 2024-12",
    )
    history = selectors.plan_history(plan)
    assert [p.amount for p in history] == [Decimal("55.00"), Decimal("49.00")]
    assert history[0].created_by == lead
    assert history[0].note == "Board decision 2024-12"
