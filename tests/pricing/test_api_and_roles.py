"""The pricing API and pages: role matrix (stakeholders get nothing), versions, 400s naming
the field, money as decimal strings."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from pricing.models import PricePoint, PriceProposal, ProposalStatus
from tests.helpers import assert_role_matrix
from tests.pricing.conftest import make_proposal

pytestmark = pytest.mark.django_db

LISTS = ["products", "plans", "price-points", "proposals", "reviews"]


@pytest.mark.parametrize("resource", LISTS)
def test_api_reads_are_for_members_and_up(api_clients, plan, resource):
    assert_role_matrix(
        api_clients,
        "get",
        f"/api/v1/pricing/{resource}/",
        {"anonymous": (401, 403), "stakeholder": 403, "member": 200, "lead": 200, "admin": 200},
    )


def test_api_writes_are_for_leads(api_clients, product):
    body = {"product": product.pk, "name": "Team", "segment": "smb", "status": "active"}
    assert_role_matrix(
        api_clients,
        "post",
        "/api/v1/pricing/plans/",
        {"anonymous": (401, 403), "stakeholder": 403, "member": 403, "lead": 201},
        data=body,
    )


PAGES = ["/pricing/", "/pricing/proposals/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_are_for_members_and_up(clients, plan, url):
    assert_role_matrix(
        clients, "get", url, {"anonymous": 302, "stakeholder": 403, "member": 200, "lead": 200}
    )


def test_plan_and_proposal_pages_refuse_stakeholders(clients, plan, lead):
    proposal = make_proposal(lead=lead, plan=plan, today=timezone.localdate())
    for url in (f"/pricing/plans/{plan.pk}/", f"/pricing/proposals/{proposal.pk}/"):
        assert_role_matrix(clients, "get", url, {"stakeholder": 403, "member": 200, "admin": 200})
    assert_role_matrix(
        clients, "get", "/pricing/proposals/new/", {"stakeholder": 403, "member": 403, "lead": 200}
    )


def test_pricing_is_not_in_a_stakeholders_nav(clients, plan):
    assert "/pricing/" not in clients["stakeholder"].get("/").content.decode()
    assert 'href="/pricing/"' in clients["member"].get("/").content.decode()


def _proposal_body(plan, **extra):
    return {
        "title": "Pro up",
        "rationale": "Costs.",
        "effective_on": str(timezone.localdate() + dt.timedelta(days=70)),
        "lines": [
            {"plan": plan.pk, "amount": "59.00", "currency": "EUR", "billing_period": "month"}
        ],
        **extra,
    }


def test_api_full_flow_with_two_approvals(api_clients, plan, lead, admin_user):
    created = api_clients["lead"].post(
        "/api/v1/pricing/proposals/", _proposal_body(plan), format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["lines"][0]["amount"] == "59.00"
    pk, version = body["id"], body["version"]
    url = f"/api/v1/pricing/proposals/{pk}/"
    response = api_clients["lead"].post(f"{url}submit/", {"version": version}, format="json")
    assert response.status_code == 200, response.json()
    version = response.json()["version"]
    response = api_clients["lead"].post(f"{url}approve/", {"version": version}, format="json")
    assert response.json()["status"] == "in_review"
    # The member cannot give the second approval, nor can a stale version.
    stale = api_clients["admin"].post(f"{url}approve/", {"version": version}, format="json")
    assert stale.status_code == 409
    version = response.json()["version"]
    assert (
        api_clients["member"]
        .post(f"{url}approve/", {"version": version}, format="json")
        .status_code
        == 403
    )
    response = api_clients["admin"].post(f"{url}approve/", {"version": version}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert [a["step"] for a in response.json()["approvals"]] == ["lead", "admin"]


def test_api_notice_period_refusal_names_the_field(api_clients, plan):
    body = _proposal_body(plan, effective_on=str(timezone.localdate() + dt.timedelta(days=5)))
    response = api_clients["lead"].post("/api/v1/pricing/proposals/", body, format="json")
    assert response.status_code == 400
    assert "effective_on" in response.json()
    body["notice_override_reason"] = "Contract renewal date."
    assert (
        api_clients["lead"].post("/api/v1/pricing/proposals/", body, format="json").status_code
        == 201
    )


@pytest.mark.parametrize(
    "line, field",
    [
        ({"amount": "-1"}, "lines"),
        ({"currency": "EURO"}, "lines"),
        ({"billing_period": "week"}, "lines"),
        ({"amount": "1.234"}, "lines"),
    ],
)
def test_api_bad_lines_are_400_naming_lines(api_clients, plan, line, field):
    body = _proposal_body(plan)
    body["lines"][0].update(line)
    response = api_clients["lead"].post("/api/v1/pricing/proposals/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_api_json_number_amount_keeps_its_cents(api_clients, plan):
    """A JSON number is read as decimal text, not as a float: 0.1 + 0.2 style loss never
    reaches the database."""
    response = api_clients["lead"].post(
        "/api/v1/pricing/price-points/",
        f'{{"plan": {plan.pk}, "amount": 19.99, "currency": "USD", "billing_period": "month", '
        '"effective_from": "2020-01-01"}',
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "19.99"
    assert PricePoint.objects.get(currency="USD").amount == Decimal("19.99")


def test_api_overlapping_price_point_is_400_naming_effective_from(api_clients, plan):
    response = api_clients["lead"].post(
        "/api/v1/pricing/price-points/",
        {
            "plan": plan.pk,
            "amount": "50.00",
            "currency": "EUR",
            "billing_period": "month",
            "effective_from": "2025-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "effective_from" in response.json()


def test_api_stale_plan_update_is_409_and_missing_version_400(api_clients, plan):
    url = f"/api/v1/pricing/plans/{plan.pk}/"
    assert api_clients["lead"].patch(url, {"name": "Pro+"}, format="json").status_code == 400
    ok = api_clients["lead"].patch(url, {"name": "Pro+", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert (
        api_clients["lead"].patch(url, {"name": "Pro++", "version": 1}, format="json").status_code
        == 409
    )


def test_api_review_opens_a_proposal_in_one_step(api_clients, plan):
    response = api_clients["lead"].post(
        "/api/v1/pricing/reviews/",
        {
            "plan": plan.pk,
            "decision": "raise",
            "rationale": "Below every competitor.",
            "input_competitor": "Acme charges 69.",
            "open_proposal": {
                "effective_on": str(timezone.localdate() + dt.timedelta(days=90)),
                "amount": "55.00",
                "currency": "EUR",
                "billing_period": "month",
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    proposal = PriceProposal.objects.get(pk=response.json()["opened_proposal"])
    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.input_competitor == "Acme charges 69."
    assert proposal.lines.get().amount == Decimal("55.00")


def test_plans_api_filters_by_segment_status_and_name(api_clients, product, lead):
    from pricing import services
    from pricing.models import Plan
    from tests.helpers import assert_queries_do_not_grow

    services.plan_create(actor=lead, product=product, name="Enterprise", segment="enterprise")
    services.plan_create(actor=lead, product=product, name="Starter", status="legacy")
    found = api_clients["member"].get("/api/v1/pricing/plans/?q=enter").json()["results"]
    assert [p["name"] for p in found] == ["Enterprise"]
    found = api_clients["member"].get("/api/v1/pricing/plans/?status=legacy").json()["results"]
    assert [p["name"] for p in found] == ["Starter"]
    found = api_clients["member"].get("/api/v1/pricing/plans/?q=prodops&segment=enterprise")
    assert [p["name"] for p in found.json()["results"]] == ["Enterprise"]

    def add(n):
        start = Plan.objects.count()
        Plan.objects.bulk_create(Plan(product=product, name=f"P{start + i}") for i in range(n))

    assert_queries_do_not_grow(
        lambda: api_clients["member"].get("/api/v1/pricing/plans/?q=p"), add, before=5, after=60
    )
