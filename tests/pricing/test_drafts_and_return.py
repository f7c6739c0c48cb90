"""A draft is edited in the browser (any number of price rows, added and removed without a
reload, typed values kept on errors, a stale page refused) and through the API; a proposal
in review goes back to draft, its approvals withdrawn but kept in the trail."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from pricing import services
from pricing.models import Approval, PriceProposal, ProposalStatus
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed

from .conftest import TODAY, make_proposal

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def second_plan(product, lead):
    return services.plan_create(actor=lead, product=product, name="Team", owner=lead)


@pytest.fixture
def draft(lead, plan):
    return make_proposal(lead=lead, plan=plan, today=timezone.localdate(), days=70)


def _edit_data(proposal, rows, **extra):
    data = {
        "version": proposal.version,
        "rows": len(rows),
        "title": proposal.title,
        "effective_on": str(proposal.effective_on),
        "rationale": proposal.rationale,
        "grandfathering": "none",
    }
    for i, (plan, amount) in enumerate(rows):
        data |= {
            f"plan_{i}": plan.pk,
            f"amount_{i}": amount,
            f"currency_{i}": "EUR",
            f"billing_period_{i}": "month",
        }
    return data | extra


def test_edit_page_starts_from_the_draft_with_a_row_per_price(clients, draft):
    page = clients["lead"].get(f"/pricing/proposals/{draft.pk}/edit/").content.decode()
    assert 'value="53.90"' in page and page.count('data-testid="price-row"') == 1
    assert f'name="version" value="{draft.version}"' in page
    # Only leads edit; the proposal page offers the link to them alone.
    assert clients["member"].get(f"/pricing/proposals/{draft.pk}/edit/").status_code == 403
    assert "Edit draft" in clients["lead"].get(f"/pricing/proposals/{draft.pk}/").content.decode()
    assert (
        "Edit draft"
        not in clients["member"].get(f"/pricing/proposals/{draft.pk}/").content.decode()
    )


def test_rows_are_added_and_removed_in_place_keeping_what_was_typed(
    clients, draft, plan, second_plan
):
    url = f"/pricing/proposals/{draft.pk}/edit/"
    typed = _edit_data(draft, [(plan, "55.00")], title="Typed title")
    added = clients["lead"].post(url, typed | {"add_row": "1"}, **HTMX)
    body = added.content.decode()
    assert added.status_code == 200 and '<form id="proposal-form"' in body and "<html" not in body
    assert body.count('data-testid="price-row"') == 2
    assert 'value="Typed title"' in body and 'value="55.00"' in body
    assert 'name="rows" value="2"' in body
    assert "Remove price 2" in body
    two = _edit_data(draft, [(plan, "55.00"), (second_plan, "19.00")], title="Typed title")
    removed = clients["lead"].post(url, two | {"remove_row": "0"}, **HTMX).content.decode()
    # Row 1 went; the row below moved up with what was typed in it.
    assert removed.count('data-testid="price-row"') == 1
    assert 'value="19.00"' in removed and 'value="55.00"' not in removed
    assert f'<option value="{second_plan.pk}" selected>' in removed
    draft.refresh_from_db()
    assert draft.title == "Pro up" and draft.version == 1  # nothing saved while editing rows


def test_saving_several_rows_replaces_the_prices(clients, draft, plan, second_plan):
    url = f"/pricing/proposals/{draft.pk}/edit/"
    data = _edit_data(draft, [(plan, "55.00"), (second_plan, "19.00")], title="Pro and Team")
    response = clients["lead"].post(url, data, **HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/pricing/proposals/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.title == "Pro and Team" and draft.version == 2
    assert sorted(draft.lines.values_list("plan__name", "amount")) == [
        ("Pro", Decimal("55.00")),
        ("Team", Decimal("19.00")),
    ]
    # Without htmx the same save redirects.
    data = _edit_data(draft, [(plan, "56.00")])
    response = clients["lead"].post(url, data)
    assert response.status_code == 302 and draft.lines.get().amount == Decimal("56.00")


def test_errors_name_the_field_and_keep_the_typed_values(clients, draft, plan, second_plan):
    url = f"/pricing/proposals/{draft.pk}/edit/"
    data = _edit_data(draft, [(plan, "55.00"), (second_plan, "abc")], title="Kept")
    response = clients["lead"].post(url, data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 400 and response["HX-Retarget"] == "#proposal-form"
    assert "New amount 2: Enter a number." in body
    assert 'value="Kept"' in body and 'value="55.00"' in body and 'value="abc"' in body
    # A refusal from the rules (notice period) lands on its field too.
    soon = str(timezone.localdate() + dt.timedelta(days=5))
    body = clients["lead"].post(url, _edit_data(draft, [(plan, "55.00")], effective_on=soon))
    assert body.status_code == 400
    assert "Effective on: Customers get 60 days" in body.content.decode()
    draft.refresh_from_db()
    assert draft.version == 1 and draft.lines.get().amount == Decimal("53.90")


def test_a_stale_edit_is_refused_with_409_in_the_browser_and_the_api(
    clients, api_clients, draft, plan, lead
):
    url = f"/pricing/proposals/{draft.pk}/edit/"
    opened = _edit_data(draft, [(plan, "55.00")], title="Mine")
    services.proposal_update(proposal=draft, actor=lead, expected_version=1, title="Theirs")
    response = clients["lead"].post(url, opened, **HTMX)
    assert response.status_code == 409
    assert "Someone else changed this" in response.content.decode()
    assert 'value="Mine"' in response.content.decode()  # what was typed is still there
    draft.refresh_from_db()
    assert draft.title == "Theirs"
    api = api_clients["lead"].patch(
        f"/api/v1/pricing/proposals/{draft.pk}/", {"version": 1, "title": "Mine"}, format="json"
    )
    assert api.status_code == 409
    api = api_clients["lead"].patch(
        f"/api/v1/pricing/proposals/{draft.pk}/",
        {
            "version": 2,
            "lines": [
                {"plan": plan.pk, "amount": "57.00", "currency": "EUR", "billing_period": "month"},
                {"plan": plan.pk, "amount": "570.00", "currency": "EUR", "billing_period": "year"},
            ],
        },
        format="json",
    )
    assert api.status_code == 200 and len(api.json()["lines"]) == 2


def test_a_proposal_out_of_draft_has_no_edit_page(clients, draft, lead):
    services.proposal_submit(proposal=draft, actor=lead)
    response = clients["lead"].get(f"/pricing/proposals/{draft.pk}/edit/")
    assert response.status_code == 400 and "Only a draft can be edited" in response.content.decode()


# --- return to draft ------------------------------------------------------------------------


def _in_review_with_lead_approval(lead, plan, today=TODAY):
    proposal = make_proposal(lead=lead, plan=plan, amount="59.00", today=today)  # +20 %
    proposal = services.proposal_submit(proposal=proposal, actor=lead, today=today)
    return services.proposal_approve(proposal=proposal, actor=lead, today=today)


def test_return_to_draft_withdraws_the_approvals_and_keeps_them_in_the_trail(
    lead, admin_user, plan
):
    proposal = _in_review_with_lead_approval(lead, plan)
    assert proposal.status == ProposalStatus.IN_REVIEW
    with pytest.raises(ValidationFailed) as refused:
        services.proposal_return_to_draft(proposal=proposal, actor=lead, reason=" ")
    assert refused.value.field == "reason"
    with pytest.raises(EditConflict):
        services.proposal_return_to_draft(
            proposal=proposal, actor=lead, reason="x", expected_version=1
        )
    returned = services.proposal_return_to_draft(
        proposal=proposal, actor=admin_user, reason="Add the yearly price.", expected_version=3
    )
    assert returned.status == ProposalStatus.DRAFT and returned.submitted_at is None
    trail = list(returned.approvals.order_by("decided_at", "id"))
    assert [(a.step, a.withdrawn_at is not None) for a in trail] == [
        (Approval.Step.LEAD, True),
        (Approval.Step.RETURNED, False),
    ]
    assert trail[1].note == "Add the yearly price."
    # Editable again; submitted again, the approvals start over from the lead's step.
    services.proposal_update(
        proposal=returned, actor=lead, title="Pro up, with yearly", today=TODAY
    )
    again = services.proposal_submit(proposal=returned, actor=lead, today=dt.date(2026, 6, 1))
    again = services.proposal_approve(proposal=again, actor=lead, today=dt.date(2026, 6, 1))
    assert again.status == ProposalStatus.IN_REVIEW  # the admin's step is still to come
    approved = services.proposal_approve(
        proposal=again, actor=admin_user, today=dt.date(2026, 6, 1)
    )
    assert approved.status == ProposalStatus.APPROVED
    assert [a.step for a in approved.approvals.order_by("decided_at", "id")] == [
        "lead",
        "returned",
        "lead",
        "admin",
    ]


def test_only_a_lead_returns_only_a_proposal_in_review(lead, member, plan):
    draft = make_proposal(lead=lead, plan=plan)
    with pytest.raises(ValidationFailed) as refused:
        services.proposal_return_to_draft(proposal=draft, actor=lead, reason="x")
    assert refused.value.field == "status"
    proposal = services.proposal_submit(proposal=draft, actor=lead, today=dt.date(2026, 6, 1))
    with pytest.raises(NotAllowed):
        services.proposal_return_to_draft(proposal=proposal, actor=member, reason="x")
    assert PriceProposal.objects.get().status == ProposalStatus.IN_REVIEW


def test_return_to_draft_in_the_browser_and_the_api(clients, api_clients, lead, plan):
    proposal = _in_review_with_lead_approval(lead, plan, today=timezone.localdate())
    base = f"/pricing/proposals/{proposal.pk}/"
    page = clients["lead"].get(base).content.decode()
    assert "Return to draft" in page
    refused = clients["lead"].post(f"{base}return-to-draft/", {"version": 3, "reason": ""}, **HTMX)
    assert refused.status_code == 400
    stale = clients["lead"].post(f"{base}return-to-draft/", {"version": 2, "reason": "x"}, **HTMX)
    assert stale.status_code == 409
    assert (
        clients["member"].post(f"{base}return-to-draft/", {"version": 3, "reason": "x"}).status_code
        == 403
    )
    response = clients["lead"].post(
        f"{base}return-to-draft/", {"version": 3, "reason": "Wrong date."}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="proposal-workflow"' in body
    assert "Returned to draft by" in body and "Wrong date." in body and "(withdrawn" in body
    assert "Submit for approval" in body
    # Through the API: submit again, then back to draft.
    url = f"/api/v1/pricing/proposals/{proposal.pk}/"
    submitted = api_clients["lead"].post(f"{url}submit/", {"version": 4}, format="json").json()
    assert (
        api_clients["member"]
        .post(
            f"{url}return-to-draft/",
            {"version": submitted["version"], "reason": "x"},
            format="json",
        )
        .status_code
        == 403
    )
    missing = api_clients["lead"].post(
        f"{url}return-to-draft/", {"version": submitted["version"]}, format="json"
    )
    assert missing.status_code == 400 and "reason" in missing.json()
    returned = api_clients["lead"].post(
        f"{url}return-to-draft/",
        {"version": submitted["version"], "reason": "Another look."},
        format="json",
    )
    assert returned.status_code == 200
    assert returned.json()["status"] == "draft"
    assert [a["step"] for a in returned.json()["approvals"]] == ["lead", "returned", "returned"]


def test_return_to_draft_is_in_the_openapi_schema(api_clients):
    schema = api_clients["member"].get("/api/schema/?format=json")
    paths = schema.json()["paths"]
    assert "/api/v1/pricing/proposals/{id}/return-to-draft/" in paths
