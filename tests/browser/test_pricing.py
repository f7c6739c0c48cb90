"""A lead proposes a price change, an admin gives the second approval, the plan shows it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pricing import services
from pricing.models import PricePoint, PriceProposal, ProposalStatus
from prodops.accounts.roles import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_proposes_admin_approves_plan_shows_scheduled_change(
    page, browser, live_server, login
):
    lead = UserFactory(username="lena", role=Role.LEAD)
    admin = UserFactory(username="ada", role=Role.ADMIN)
    product = services.product_create(actor=admin, name="Prodops Cloud", owner=lead)
    plan = services.plan_create(actor=lead, product=product, name="Team", owner=lead)
    services.price_point_record(
        actor=lead,
        plan=plan,
        amount="49.00",
        currency="EUR",
        billing_period="month",
        effective_from=dt.date(2024, 1, 1),
    )
    effective = timezone.localdate() + dt.timedelta(days=75)

    login(page, lead)
    page.goto(f"{live_server.url}/pricing/plans/{plan.pk}/")
    page.get_by_role("link", name="Propose a price change").click()
    page.get_by_label("Title").fill("Team to 59")
    page.get_by_label("Effective on").fill(effective.isoformat())
    page.get_by_label("Rationale").fill("Reporting module shipped.")
    page.get_by_label("New amount 1").fill("59.00")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/pricing/proposals/*/")
    page.get_by_role("button", name="Submit for approval").click()
    status = page.get_by_test_id("proposal-status")
    status.filter(has_text="In review").wait_for()
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Lead approval by").wait_for()
    proposal = PriceProposal.objects.get()
    assert proposal.status == ProposalStatus.IN_REVIEW  # +20 %: an admin must approve too

    page.context.clear_cookies()
    login(page, admin)
    page.goto(f"{live_server.url}/pricing/proposals/{proposal.pk}/")
    assert "49.00 EUR" in page.locator("table").first.inner_text()
    page.get_by_role("button", name="Approve").click()
    status.filter(has_text="Approved").wait_for()
    page.get_by_text("Admin approval by").wait_for()

    page.context.clear_cookies()
    login(page, lead)
    page.goto(f"{live_server.url}/pricing/proposals/{proposal.pk}/")
    page.get_by_role("button", name="Schedule").click()
    status.filter(has_text="Scheduled").wait_for()

    page.goto(f"{live_server.url}/pricing/plans/{plan.pk}/")
    change = page.get_by_test_id("scheduled-change")
    assert "59.00 EUR" in change.inner_text()
    assert "Scheduled" in change.inner_text()
    assert PricePoint.objects.get(plan=plan).amount == Decimal("49.00")


def test_lead_edits_a_draft_with_more_rows_and_returns_it_from_review(
    page, browser, live_server, login
):
    """Rows are added and removed in place (no reload: what was typed stays), a bad amount is
    named on its field, the draft saves with two plans; in review it goes back to draft."""
    lead = UserFactory(username="lena", role=Role.LEAD)
    product = services.product_create(actor=lead, name="Prodops Cloud", owner=lead)
    pro = services.plan_create(actor=lead, product=product, name="Pro", owner=lead)
    team = services.plan_create(actor=lead, product=product, name="Team", owner=lead)
    for plan in (pro, team):
        services.price_point_record(
            actor=lead,
            plan=plan,
            amount="49.00",
            currency="EUR",
            billing_period="month",
            effective_from=dt.date(2024, 1, 1),
        )
    proposal = services.proposal_create(
        actor=lead,
        title="Pro up",
        rationale="Costs.",
        effective_on=timezone.localdate() + dt.timedelta(days=75),
        lines=[{"plan": pro, "amount": "52.00", "currency": "EUR", "billing_period": "month"}],
    )

    login(page, lead)
    page.goto(f"{live_server.url}/pricing/proposals/{proposal.pk}/")
    page.get_by_role("link", name="Edit draft").click()
    page.wait_for_url("**/edit/")
    page.get_by_label("Title").fill("Pro and Team up")
    # A marker on the window tells a reload (which would drop it) from an in-place swap.
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Add a price row").click()
    page.get_by_label("Plan 2").select_option(label="Prodops Cloud Team")
    page.get_by_role("button", name="Add a price row").click()
    page.get_by_label("New amount 3").fill("1.00")
    page.get_by_role("button", name="Remove price 3").click()
    expect(page.get_by_test_id("price-row")).to_have_count(2)
    assert page.get_by_label("Title").input_value() == "Pro and Team up"
    page.get_by_label("New amount 2").fill("")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("New amount 2: This field is required.").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_label("Title").input_value() == "Pro and Team up"
    page.get_by_label("New amount 2").fill("53.00")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(f"**/pricing/proposals/{proposal.pk}/")
    proposal.refresh_from_db()
    assert proposal.title == "Pro and Team up"
    assert sorted(proposal.lines.values_list("plan__name", "amount")) == [
        ("Pro", Decimal("52.00")),
        ("Team", Decimal("53.00")),
    ]

    page.get_by_role("button", name="Submit for approval").click()
    status = page.get_by_test_id("proposal-status")
    status.filter(has_text="In review").wait_for()
    page.get_by_label("Reason to return to draft").fill("Add the yearly prices.")
    page.get_by_role("button", name="Return to draft").click()
    status.filter(has_text="Draft").wait_for()
    page.get_by_text("Returned to draft by").wait_for()
    assert PriceProposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT
