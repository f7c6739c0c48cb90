"""Backlog → plan without dead ends: accept, choose the roadmap in place, plan with the
estimates and free days in view."""

from decimal import Decimal

import pytest

from intake.models import RequestStatus
from intake.scoring_services import assessment_save
from tests.factories import RequestFactory
from tests.helpers import assert_role_matrix


@pytest.fixture
def scored(users, objective, team):
    req = RequestFactory(
        status=RequestStatus.TRIAGED, objective=objective, title="Win-back emails", team=team
    )
    for person, effort in ((users["member"], "4"), (users["lead"], "6")):
        assessment_save(
            request=req,
            assessor=person,
            feasibility=4,
            effort_days=Decimal(effort),
            impact=4,
            confidence=80,
        )
    req.refresh_from_db()
    assert req.status == RequestStatus.SCORED
    return req


@pytest.mark.django_db
def test_accepting_in_the_backlog_offers_plan_it_in_place(clients, scored, roadmap):
    response = clients["lead"].post(
        f"/requests/backlog/{scored.pk}/decide/",
        {"to": "accepted", "version": scored.version, "rank": 1},
        HTTP_HX_REQUEST="true",
    )
    row = response.content.decode()
    assert response.status_code == 200
    assert f'hx-get="/roadmap/plan/?request={scored.pk}"' in row
    assert 'hx-trigger="load, click"' in row  # the decided row turns into the plan form at once

    fragment = (
        clients["lead"]
        .get(f"/roadmap/plan/?request={scored.pk}", HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "<html" not in fragment
    assert f'<option value="{roadmap.pk}">Marketing Ops · 2027-Q1</option>' in fragment
    assert "Plan it" in fragment

    go = clients["lead"].get(f"/roadmap/plan/?request={scored.pk}&roadmap={roadmap.pk}")
    assert go.status_code == 302
    assert go["Location"] == f"/roadmap/{roadmap.pk}/items/new/?requests={scored.pk}"


@pytest.mark.django_db
def test_plan_it_without_a_roadmap_says_what_to_do(clients, scored):
    page = clients["lead"].get(f"/roadmap/plan/?request={scored.pk}").content.decode()
    assert "No current roadmap to plan onto." in page and 'href="/roadmap/new/"' in page


@pytest.mark.django_db
def test_plan_form_shows_picked_requests_with_mean_estimate_and_free_days(
    clients, users, scored, roadmap, plan
):
    plan(Decimal("20"))  # 75 plannable − 20 = 55 free
    scored.status = RequestStatus.ACCEPTED
    scored.save()
    page = (
        clients["lead"]
        .get(f"/roadmap/{roadmap.pk}/items/new/?requests={scored.pk}")
        .content.decode()
    )
    assert f"#{scored.pk} Win-back emails · mean estimate 5.0 d" in page
    assert f'value="{scored.pk}"' in page and "checked" in page
    assert 'data-figure="free-now">55.0 d' in page
    assert 'data-figure="estimate">5.0 d' in page
    assert 'data-figure="free-after">50.0 d' in page
    assert f'hx-get="/roadmap/{roadmap.pk}/items/new/summary/"' in page


@pytest.mark.django_db
def test_plan_summary_follows_picks_and_a_typed_estimate(clients, scored, roadmap):
    scored.status = RequestStatus.ACCEPTED
    scored.save()
    url = f"/roadmap/{roadmap.pk}/items/new/summary/"
    none = clients["lead"].get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-figure="free-after">75.0 d' in none and "Pick accepted requests" in none
    picked = clients["lead"].get(url, {"requests": [scored.pk]}).content.decode()
    assert 'data-figure="free-after">70.0 d' in picked and "<html" not in picked
    typed = (
        clients["lead"].get(url, {"requests": [scored.pk], "estimate_days": "80"}).content.decode()
    )
    assert 'data-figure="free-after" class="danger">-5.0 d' in typed
    assert "a lead must give an over-commit reason" in typed


@pytest.mark.django_db
def test_planning_is_for_leads(clients, scored, roadmap):
    for url in (f"/roadmap/plan/?request={scored.pk}", f"/roadmap/{roadmap.pk}/items/new/summary/"):
        assert_role_matrix(
            clients, "get", url, {"stakeholder": 403, "member": 403, "lead": 200, "admin": 200}
        )
