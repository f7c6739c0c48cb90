"""A lead proposes a price change, an admin gives the second approval, the plan shows it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

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
