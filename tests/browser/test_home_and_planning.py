from decimal import Decimal

import pytest

from intake.models import Request, RequestStatus
from intake.scoring_services import assessment_save
from prodops.accounts.models import TeamMembership
from prodops.accounts.roles import Role
from roadmap import services
from roadmap.models import RoadmapItem
from tests.factories import (
    MembershipFactory,
    ObjectiveFactory,
    RequestFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def workspace():
    lead = UserFactory(username="lena", role=Role.LEAD)
    member = UserFactory(username="milo", role=Role.MEMBER)
    admin = UserFactory(username="ada", role=Role.ADMIN)
    team = TeamFactory(name="Marketing Ops", slug="marketing-ops", lead=lead)
    MembershipFactory(team=team, user=lead, capacity_days=50)
    MembershipFactory(team=team, user=member, capacity_days=50)  # capacity 100, plannable 75
    roadmap = services.roadmap_create(actor=lead, team=team, period="2027-Q1")
    objective = ObjectiveFactory(title="Grow NRR")
    scored = RequestFactory(
        title="Win-back emails", status=RequestStatus.TRIAGED, objective=objective, team=team
    )
    assessment_save(
        request=scored,
        assessor=member,
        feasibility=4,
        effort_days=Decimal("8"),
        impact=4,
        confidence=80,
    )
    return {
        "lead": lead,
        "member": member,
        "admin": admin,
        "roadmap": roadmap,
        "scored": scored,
        "objective": objective,
    }


@pytest.mark.parametrize("width", [1280, 390])
def test_home_fits_and_links_to_the_work(browser, live_server, login, workspace, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        for role in ("member", "lead", "admin"):
            context.clear_cookies()
            login(page, workspace[role])
            assert page.evaluate(OVERFLOW) <= 0
            assert page.locator(".home-section").count() >= 5
        page.get_by_role("link", name="Top of the backlog").click()
        page.wait_for_url("**/requests/backlog/")
    finally:
        context.close()


def test_accept_plan_in_place_then_plan_with_free_days(page, live_server, login, workspace):
    scored, roadmap = workspace["scored"], workspace["roadmap"]
    login(page, workspace["lead"])
    page.goto(f"{live_server.url}/requests/backlog/")
    row = page.locator(f"#backlog-row-{scored.pk}")
    row.get_by_role("button", name="Accept").click()
    # The accepted row turns into the plan form without a page load.
    row.get_by_label("Roadmap").select_option(str(roadmap.pk))
    row.get_by_role("button", name="Plan it").click()
    page.wait_for_url(f"**/roadmap/{roadmap.pk}/items/new/?requests={scored.pk}")
    assert page.get_by_label("Win-back emails · mean estimate 8.0 d").is_checked()
    assert page.locator('[data-figure="free-after"]').inner_text() == "67.0 d"
    page.get_by_label("Estimate (person-days)").fill("80")
    page.get_by_label("Estimate (person-days)").press("Tab")
    page.locator('[data-figure="free-after"].danger').wait_for()
    assert page.locator('[data-figure="free-after"]').inner_text() == "-5.0 d"
    page.get_by_label("Estimate (person-days)").fill("")
    page.get_by_label("Objective").select_option(label="Grow NRR")
    page.get_by_role("button", name="Plan", exact=True).click()
    page.wait_for_url(f"**/roadmap/{roadmap.pk}/")
    assert RoadmapItem.objects.get(roadmap=roadmap).estimate_days == Decimal("8.0")
    assert Request.objects.get(pk=scored.pk).status == RequestStatus.PLANNED


@pytest.mark.parametrize("width", [1280, 390])
def test_admin_previews_a_capacity_change_before_saving(
    browser, live_server, login, workspace, width
):
    membership = TeamMembership.objects.get(user=workspace["member"])
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        login(page, workspace["admin"])
        page.goto(f"{live_server.url}/people/")
        assert page.evaluate(OVERFLOW) <= 0
        page.locator(f'a[href="/people/{workspace["member"].pk}/teams/{membership.pk}/"]').click()
        page.get_by_label("Allocation to this team (%)").fill("50")
        page.get_by_label("Allocation to this team (%)").press("Tab")
        preview = page.get_by_test_id("capacity-preview")
        preview.wait_for()
        assert "100.0 → 75.0 d" in preview.locator('[data-col="capacity"]').inner_text()
        assert page.evaluate(OVERFLOW) <= 0
        membership.refresh_from_db()
        assert membership.allocation_percent == 100  # nothing saved by a preview
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**/people/*")
        membership.refresh_from_db()
        assert membership.allocation_percent == 50
    finally:
        context.close()
