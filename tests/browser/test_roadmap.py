from decimal import Decimal

import pytest

from intake.models import Assessment, RequestStatus
from prodops.accounts.roles import Role
from roadmap import services
from roadmap.models import RoadmapItem, UnplannedEntry
from tests.factories import (
    MembershipFactory,
    ObjectiveFactory,
    RequestFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accepted(title, effort, objective, assessor, team):
    request = RequestFactory(
        title=title, status=RequestStatus.ACCEPTED, objective=objective, team=team
    )
    Assessment.objects.create(
        request=request, assessor=assessor, feasibility=4, effort_days=Decimal(effort), impact=4
    )
    return request


def _plan(page, base, title, *, shared_title=""):
    page.goto(f"{base}items/new/")
    page.get_by_label(title).check()
    if shared_title:
        page.get_by_label("Visibility").select_option("shared")
        page.get_by_label("Stakeholder-facing title").fill(shared_title)
    page.get_by_role("button", name="Plan").click()


def test_lead_plans_hits_overcommit_logs_work_and_shares(page, browser, live_server, login):
    lead = UserFactory(username="lena", role=Role.LEAD)
    member = UserFactory(username="milo", role=Role.MEMBER)
    team = TeamFactory(name="Marketing Ops", slug="marketing-ops", lead=lead)
    MembershipFactory(team=team, user=lead, capacity_days=50)
    MembershipFactory(team=team, user=member, capacity_days=50)  # capacity 100, plannable 75
    objective = ObjectiveFactory(title="Grow NRR")
    _accepted("Quote tool for reps", 30, objective, member, team)
    _accepted("Falcon data cleanup", 30, objective, member, team)
    _accepted("Partner portal", 30, objective, member, team)
    roadmap = services.roadmap_create(actor=lead, team=team, period="2027-Q1")
    base = f"{live_server.url}/roadmap/{roadmap.pk}/"

    login(page, lead)
    _plan(page, base, "Quote tool for reps", shared_title="One-click quotes")
    page.wait_for_url(base)
    _plan(page, base, "Falcon data cleanup")
    page.wait_for_url(base)
    assert page.locator('[data-figure="planned"]').inner_text() == "60.0 d"
    assert page.locator('[data-figure="free"]').inner_text() == "15.0 d"

    # A third 30-day item would eat into the buffer: refused with the numbers.
    _plan(page, base, "Partner portal")
    assert page.get_by_role("alert").filter(has_text="90.0 of 75.0 plannable").first.is_visible()
    assert RoadmapItem.objects.filter(roadmap=roadmap).count() == 2

    # Keyboard-friendly lane move (button, swapped in by htmx).
    card = page.locator(f"#item-{RoadmapItem.objects.get(title='Quote tool for reps').pk}")
    page.goto(base)
    card.get_by_role("button", name="→ Now").click()
    page.locator('[data-lane="now"]').get_by_role("link", name="Quote tool for reps").wait_for()
    assert RoadmapItem.objects.get(title="Quote tool for reps").lane == "now"
    # Drag-and-drop submits the same move.
    falcon = RoadmapItem.objects.get(title="Falcon data cleanup")
    page.locator(f"#item-{falcon.pk}").drag_to(page.locator('[data-lane="later"]'))
    page.locator('[data-lane="later"]').get_by_role("link", name="Falcon data cleanup").wait_for()
    falcon.refresh_from_db()
    assert falcon.lane == "later"

    page.goto(f"{base}unplanned/")
    page.locator("#id_day").fill("2027-01-12")
    page.get_by_label("Person-days").fill("5")
    page.get_by_label("What").fill("Urgent pricing page fix")
    page.get_by_label("Who asked").fill("Sales")
    page.get_by_role("button", name="Log").click()
    page.get_by_role("cell", name="Urgent pricing page fix", exact=True).wait_for()
    assert page.locator('[data-figure="burn"]').inner_text().startswith("20 %")
    assert UnplannedEntry.objects.filter(roadmap=roadmap).count() == 1

    page.goto(f"{base}share/")
    page.get_by_label("Label").fill("Sales kickoff")
    page.get_by_role("button", name="Create link").click()
    share_url = page.get_by_test_id("share-url").first.input_value()
    assert "/r/" in share_url

    anonymous = browser.new_context()
    try:
        public = anonymous.new_page()
        public.goto(share_url)
        text = public.locator("main").inner_text()
        assert "One-click quotes" in text
        assert "Falcon" not in text and "Quote tool for reps" not in text
        assert "30.0" not in text and "plannable" not in text.lower()
    finally:
        anonymous.close()
