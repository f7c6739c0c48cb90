"""Pricing pages: the proposal flow through forms and htmx, and fixed query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from pricing import services
from pricing.models import BillingPeriod, Plan, PricePoint, PriceProposal, ProposalStatus
from prodops.reviews.models import Cadence
from tests.helpers import assert_queries_do_not_grow, count_queries

pytestmark = pytest.mark.django_db


def _form(plan, **extra):
    return {
        "title": "Pro to 59",
        "effective_on": str(timezone.localdate() + dt.timedelta(days=61)),
        "rationale": "Costs.",
        "grandfathering": "none",
        "plan_0": plan.pk,
        "amount_0": "59.00",
        "currency_0": "EUR",
        "billing_period_0": "month",
        "currency_1": "EUR",
        "billing_period_1": "month",
        "currency_2": "EUR",
        "billing_period_2": "month",
        **extra,
    }


def test_lead_drafts_through_the_form_and_a_short_notice_is_a_field_message(clients, plan):
    response = clients["lead"].post(
        "/pricing/proposals/new/",
        _form(plan, effective_on=str(timezone.localdate() + dt.timedelta(days=3))),
    )
    assert response.status_code == 400
    assert "override the notice period" in response.content.decode()
    assert not PriceProposal.objects.exists()
    response = clients["lead"].post("/pricing/proposals/new/", _form(plan))
    proposal = PriceProposal.objects.get()
    assert response.status_code == 302 and response.url == f"/pricing/proposals/{proposal.pk}/"
    assert proposal.lines.get().amount == Decimal("59.00")


def test_htmx_flow_submit_approve_twice_schedule(clients, plan, lead):
    clients["lead"].post("/pricing/proposals/new/", _form(plan))
    proposal = PriceProposal.objects.get()
    base = f"/pricing/proposals/{proposal.pk}/"
    htmx = {"HTTP_HX_REQUEST": "true"}
    response = clients["lead"].post(f"{base}submit/", {"version": 1}, **htmx)
    assert response.status_code == 200 and 'id="proposal-workflow"' in response.content.decode()
    response = clients["lead"].post(f"{base}approve/", {"version": 2}, **htmx)
    assert "Lead approval by" in response.content.decode()
    # A stale page gets 409 and says why.
    response = clients["admin"].post(f"{base}approve/", {"version": 2}, **htmx)
    assert response.status_code == 409
    clients["admin"].post(f"{base}approve/", {"version": 3}, **htmx)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    clients["lead"].post(f"{base}schedule/", {"version": proposal.version}, **htmx)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SCHEDULED
    page = clients["member"].get(f"/pricing/plans/{plan.pk}/").content.decode()
    assert 'data-testid="scheduled-change"' in page and "59.00 EUR" in page
    # Members see the page but get no action buttons, and posting is refused.
    detail = clients["member"].get(base).content.decode()
    assert "Mark done" not in detail
    assert clients["member"].post(f"{base}approve/", {"version": 1}).status_code == 403


def test_plan_review_form_opens_a_proposal(clients, plan):
    response = clients["lead"].post(
        f"/pricing/plans/{plan.pk}/review/",
        {
            "review-decision": "raise",
            "review-rationale": "Cheapest in class.",
            "review-new_amount": "52.00",
            "review-currency": "EUR",
            "review-billing_period": "month",
            "review-effective_on": str(timezone.localdate() + dt.timedelta(days=75)),
        },
    )
    proposal = PriceProposal.objects.get()
    assert response.status_code == 302 and response.url == f"/pricing/proposals/{proposal.pk}/"


def _add_plans(product, lead, count: int):
    """`count` more plans, each with three years of monthly and yearly price history and a
    scheduled change."""
    start = Plan.objects.count()
    plans = Plan.objects.bulk_create(
        Plan(product=product, name=f"Plan {start + i}", owner=lead) for i in range(count)
    )
    points = []
    for plan in plans:
        for period, base in ((BillingPeriod.MONTH, 10), (BillingPeriod.YEAR, 100)):
            for year in (2023, 2024, 2025):
                points.append(
                    PricePoint(
                        plan=plan,
                        amount=Decimal(base + year - 2023),
                        currency="EUR",
                        billing_period=period,
                        effective_from=dt.date(year, 1, 1),
                        effective_to=dt.date(year + 1, 1, 1) if year < 2025 else None,
                    )
                )
    PricePoint.objects.bulk_create(points)
    ct = ContentType.objects.get_for_model(Plan)
    Cadence.objects.bulk_create(
        Cadence(
            kind=Cadence.Kind.PRICE_PLAN,
            target_type=ct,
            target_id=p.pk,
            title=f"Pricing review: {p.name}",
            owner=lead,
            next_due_on=timezone.localdate(),
        )
        for p in plans
    )


def test_price_book_query_count_is_fixed_up_to_500_plans(clients, product, lead):
    """Session, user, the plan count, a page of plans, current prices, upcoming changes,
    cadences, the product filter, the notification count: the same nine queries for 5 plans
    as for 500 (filtered and searched too), and a page shows at most 50 plans."""
    count = assert_queries_do_not_grow(
        lambda: clients["member"].get("/pricing/"),
        lambda n: _add_plans(product, lead, n),
        before=5,
        after=500,
    )
    assert count == 9
    response = clients["member"].get("/pricing/?page=3")
    page = response.content.decode()
    assert page.count("data-plan-row") == 50
    assert "Page 3 of 10" in page and "500 plans" in page
    queries, filtered = count_queries(
        lambda: clients["member"].get(
            f"/pricing/?q=Plan+4&segment=smb&status=active&product={product.pk}"
        )
    )
    assert queries == 9
    body = filtered.content.decode()
    # "Plan 4", "Plan 40"–"Plan 49", "Plan 400"–"Plan 499": 111 plans, the first 50 shown.
    assert "111 plans" in body and body.count("data-plan-row") == 50


def test_proposal_list_and_plan_page_query_counts_do_not_grow(clients, plan, lead):
    def add(n):
        for i in range(n):
            proposal = services.proposal_create(
                actor=lead,
                title=f"Change {i}",
                rationale="r",
                effective_on=timezone.localdate() + dt.timedelta(days=70 + i),
                lines=[
                    {"plan": plan, "amount": "50.00", "currency": "EUR", "billing_period": "month"}
                ],
            )
            services.proposal_submit(proposal=proposal, actor=lead)

    assert_queries_do_not_grow(
        lambda: clients["member"].get("/pricing/proposals/"), add, before=2, after=15
    )
    count, _response = count_queries(lambda: clients["member"].get(f"/pricing/plans/{plan.pk}/"))
    add(5)
    assert count_queries(lambda: clients["member"].get(f"/pricing/plans/{plan.pk}/"))[0] == count


def test_review_form_refusal_is_shown_on_its_field(clients, plan):
    response = clients["lead"].post(
        f"/pricing/plans/{plan.pk}/review/",
        {
            "review-decision": "raise",
            "review-rationale": "Cheapest in class.",
            "review-new_amount": "52.00",
            "review-currency": "EUR",
            "review-billing_period": "month",
            "review-effective_on": str(timezone.localdate() + dt.timedelta(days=5)),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Effective on (for the proposal): Customers get 60 days" in html
    assert not PriceProposal.objects.exists()


def test_price_book_filters_answer_htmx_with_the_table_only(clients, product, lead):
    services.plan_create(actor=lead, product=product, name="Enterprise", segment="enterprise")
    services.plan_create(actor=lead, product=product, name="Starter", status="retired")
    response = (
        clients["member"]
        .get("/pricing/?segment=enterprise", HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert response.lstrip().startswith('<div id="price-book">') and "<html" not in response
    assert "Prodops Cloud Enterprise" in response and "Starter" not in response
    page = clients["member"].get("/pricing/?status=retired&q=start").content.decode()
    assert page.count("data-plan-row") == 1 and "Prodops Cloud Starter" in page
    nothing = clients["member"].get("/pricing/?q=zzz").content.decode()
    assert "No plans match these filters." in nothing
    # An unknown segment or status is no filter, never an error.
    assert clients["member"].get("/pricing/?segment=bogus&status=x&page=99").status_code == 200
