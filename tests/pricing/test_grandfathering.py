"""Grandfathering is applied: when a change takes effect, customers who had the plan keep the
old price (a price point for existing customers) until the grandfathering ends, exactly once;
the plan page and the price book say so."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from pricing import selectors, services
from pricing.models import Audience, PricePoint, ProposalStatus

from .conftest import TODAY, make_proposal

pytestmark = pytest.mark.django_db


def _effective(lead, plan, *, amount="53.90", today=TODAY, **extra):
    proposal = make_proposal(lead=lead, plan=plan, amount=amount, today=today, **extra)
    proposal = services.proposal_submit(proposal=proposal, actor=lead, today=today)
    proposal = services.proposal_approve(proposal=proposal, actor=lead, today=today)
    proposal = services.proposal_schedule(proposal=proposal, actor=lead, today=today)
    for item in proposal.readiness.all():
        services.readiness_mark_done(item=item, actor=lead)
    return proposal


def _points(plan):
    return [
        (p.audience, p.amount, p.effective_from, p.effective_to)
        for p in PricePoint.objects.filter(plan=plan).order_by("effective_from", "audience")
    ]


def test_grandfathered_until_a_date_keeps_the_old_price_for_existing_customers_once(plan, lead):
    until = TODAY + dt.timedelta(days=400)
    proposal = _effective(lead, plan, grandfathering="until", grandfathered_until=until)
    day = proposal.effective_on
    assert services.prices_switch_due(today=day) == 1
    # Duplicate beats change nothing.
    assert services.prices_switch_due(today=day) == 0
    assert services.proposal_make_effective(proposal_id=proposal.pk, today=day) is False
    assert _points(plan) == [
        (Audience.EVERYONE, Decimal("49.00"), dt.date(2024, 1, 1), day),
        (Audience.EVERYONE, Decimal("53.90"), day, None),
        (Audience.EXISTING, Decimal("49.00"), day, until),
    ]
    kept = PricePoint.objects.get(plan=plan, audience=Audience.EXISTING)
    assert kept.proposal == proposal
    # The book: new customers pay the new price; existing ones the old one until the date.
    book = selectors.price_book(plans=selectors.book_plans(), today=day)
    assert book[0].current == ["53.90 EUR per month"]
    assert book[0].grandfathered == [f"49.00 EUR per month until {until:%d %b %Y}"]
    # After the date, only the list price is left.
    after = selectors.price_book(plans=selectors.book_plans(), today=until)
    assert after[0].grandfathered == [] and after[0].current == ["53.90 EUR per month"]


def test_a_crash_during_the_switch_leaves_no_grandfathered_price(plan, lead):
    proposal = _effective(lead, plan, grandfathering="forever")
    day = proposal.effective_on
    with mock.patch("pricing.services.notify", side_effect=RuntimeError("worker killed")):
        assert services.prices_switch_due(today=day) == 0
    assert _points(plan) == [(Audience.EVERYONE, Decimal("49.00"), dt.date(2024, 1, 1), None)]
    assert services.prices_switch_due(today=day) == 1
    assert services.prices_switch_due(today=day) == 0
    assert PricePoint.objects.filter(plan=plan, audience=Audience.EXISTING).count() == 1
    assert PricePoint.objects.get(plan=plan, audience=Audience.EXISTING).effective_to is None


def test_no_grandfathering_moves_everyone(plan, lead):
    proposal = _effective(lead, plan)
    services.prices_switch_due(today=proposal.effective_on)
    assert not PricePoint.objects.filter(audience=Audience.EXISTING).exists()


def test_a_later_change_ends_the_earlier_grandfathering_and_compares_with_the_list_price(
    plan, lead
):
    first = _effective(lead, plan, grandfathering="forever")
    services.prices_switch_due(today=first.effective_on)
    later_today = first.effective_on
    second = _effective(
        lead,
        plan,
        amount="58.00",
        today=later_today,
        grandfathering="until",
        grandfathered_until=later_today + dt.timedelta(days=200),
    )
    # Old → new compares with the list price (53.90), not the grandfathered 49.00.
    [change] = selectors.proposal_changes(second)
    assert change.old.amount == Decimal("53.90")
    day = second.effective_on
    assert services.prices_switch_due(today=day) == 1
    existing = [p for p in _points(plan) if p[0] == Audience.EXISTING]
    assert existing == [
        (Audience.EXISTING, Decimal("49.00"), first.effective_on, day),
        (Audience.EXISTING, Decimal("53.90"), day, later_today + dt.timedelta(days=200)),
    ]
    assert second.__class__.objects.get(pk=second.pk).status == ProposalStatus.EFFECTIVE


def test_the_database_refuses_two_grandfathered_prices_at_once_but_not_beside_the_list_price(
    plan, lead
):
    proposal = _effective(lead, plan, grandfathering="forever")
    services.prices_switch_due(today=proposal.effective_on)
    kept = PricePoint.objects.get(plan=plan, audience=Audience.EXISTING)
    with (
        pytest.raises(IntegrityError, match="pricing_price_points_do_not_overlap"),
        transaction.atomic(),
    ):
        PricePoint.objects.create(
            plan=plan,
            amount=Decimal("1.00"),
            currency="EUR",
            billing_period="month",
            audience=Audience.EXISTING,
            effective_from=kept.effective_from + dt.timedelta(days=5),
            proposal=proposal,
        )
    with (
        pytest.raises(IntegrityError, match="pricing_grandfathered_price_has_its_change"),
        transaction.atomic(),
    ):
        PricePoint.objects.create(
            plan=plan,
            amount=Decimal("1.00"),
            currency="EUR",
            billing_period="year",
            audience=Audience.EXISTING,
            effective_from=TODAY,
        )


def test_plan_page_and_book_say_what_existing_customers_pay(clients, plan, lead):
    from django.utils import timezone

    today = timezone.localdate()
    until = today + dt.timedelta(days=300)
    proposal = _effective(
        lead, plan, today=today, grandfathering="until", grandfathered_until=until
    )
    # Made effective as of today for the pages (the switch runs on the date given).
    type(proposal).objects.filter(pk=proposal.pk).update(effective_on=today)
    proposal.refresh_from_db()
    assert services.proposal_make_effective(proposal_id=proposal.pk, today=today)
    page = clients["member"].get(f"/pricing/plans/{plan.pk}/").content.decode()
    assert "Existing customers pay 49.00 EUR per month until" in page
    assert 'data-testid="grandfathered-price"' in page
    book = clients["member"].get("/pricing/").content.decode()
    assert f"Existing customers: 49.00 EUR per month until {until:%d %b %Y}" in book
