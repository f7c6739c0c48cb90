import pytest
from playwright.sync_api import expect

from docs_hub import services
from docs_hub.models import Deflection, ReadinessWaiver
from docs_hub.readiness import readiness_checklist_set
from intake.models import Request, RequestStatus
from prodops.accounts.roles import Role
from roadmap import services as roadmap_services
from tests.factories import (
    MembershipFactory,
    ObjectiveFactory,
    RequestFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _published(title, audience, body="Open **Billing**, then *Export*.", tags=()):
    writer = UserFactory(username="writer", role=Role.MEMBER)
    boss = UserFactory(username="boss", role=Role.LEAD)
    doc = services.doc_create(
        actor=writer, title=title, audience=audience, body=body, tags=list(tags)
    )
    return services.doc_publish(doc=doc, actor=boss)


def test_typing_a_title_suggests_a_doc_and_this_answers_it(page, live_server, login):
    doc = _published("Exporting invoices as CSV", "stakeholders", tags=["billing"])
    sam = UserFactory(username="sam", role=Role.STAKEHOLDER)
    login(page, sam)
    page.goto(f"{live_server.url}/requests/new/")
    page.get_by_label("Title").press_sequentially("How do I export invoices", delay=20)
    suggested = page.get_by_test_id("suggested-docs")
    suggested.wait_for()
    expect(suggested).to_contain_text("Exporting invoices as CSV")
    suggested.get_by_role("button", name="This answers it").click()
    expect(page.get_by_test_id("answered")).to_contain_text("No request was filed")
    deflection = Deflection.objects.get()
    assert deflection.doc == doc and deflection.person == sam
    assert "export invoices" in deflection.query.lower()
    assert not Request.objects.exists()


def test_header_search_with_the_keyboard(page, live_server, login):
    _published("Quarterly planning guide", "stakeholders")
    member = UserFactory(username="milo", role=Role.MEMBER)
    RequestFactory(title="Planning board for partners", requester=member)
    login(page, member)
    page.goto(f"{live_server.url}/docs/")
    page.locator("body").press("/")
    box = page.locator("#header-search")
    expect(box).to_be_focused()
    box.press_sequentially("planning", delay=20)
    dropdown = page.locator("#header-search-results")
    expect(dropdown).to_contain_text("Quarterly planning guide")
    expect(dropdown).to_contain_text("Planning board for partners")
    expect(dropdown).to_contain_text("Docs")
    expect(dropdown).to_contain_text("Requests")
    box.press("ArrowDown")
    first = dropdown.locator("[data-search-hit]").first
    expect(first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(dropdown.locator("[data-search-hit]").nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()
    box.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/requests/*/")


def test_the_queue_keeps_its_own_slash(page, live_server, login):
    member = UserFactory(username="milo", role=Role.MEMBER)
    login(page, member)
    page.goto(f"{live_server.url}/requests/")
    page.locator("body").press("/")
    expect(page.locator("[data-shortcut='search']")).to_be_focused()


def test_a_lead_waives_readiness_and_the_item_ships(page, live_server, login):
    lead = UserFactory(username="lena", role=Role.LEAD)
    team = TeamFactory(name="Marketing Ops", slug="marketing-ops", lead=lead)
    MembershipFactory(team=team, user=lead, capacity_days=50, allocation_percent=100)
    roadmap = roadmap_services.roadmap_create(actor=lead, team=team, period="2027-Q1")
    objective = ObjectiveFactory(title="Grow partner revenue")
    request = RequestFactory(status=RequestStatus.ACCEPTED, team=team, objective=objective)
    item = roadmap_services.roadmap_item_create(
        roadmap=roadmap,
        actor=lead,
        requests=[request],
        estimate_days=2,
        title="Partner portal",
        objective=objective,
    )
    readiness_checklist_set(item=item, actor=lead, kinds=["sales_briefed", "training"])
    login(page, lead)
    page.goto(f"{live_server.url}/roadmap/{roadmap.pk}/")
    badge = page.get_by_test_id("readiness")
    expect(badge).to_contain_text("0 % ready")
    badge.click()
    page.get_by_label("Why it may ship with the checklist open").fill("Training after launch")
    page.get_by_role("button", name="Waive readiness").click()
    expect(page.get_by_test_id("waiver")).to_contain_text("Training after launch")
    assert ReadinessWaiver.objects.get(item=item).actor == lead
    item.refresh_from_db()
    shipped = roadmap_services.roadmap_item_update(
        item=item, actor=lead, expected_version=item.version, status="shipped"
    )
    assert shipped.status == "shipped"


def test_a_member_links_a_doc_to_a_metric_in_place(page, live_server, login):
    from outcomes.models import Metric

    doc = _published("Trial conversion playbook", "team")
    member = UserFactory(username="mira", role=Role.MEMBER)
    metric = Metric.objects.create(
        name="Trial-to-paid rate",
        unit="%",
        baseline_value=10,
        baseline_on="2026-01-01",
        target_value=20,
        target_on="2026-12-31",
        objective=ObjectiveFactory(title="Grow revenue"),
    )
    login(page, member)
    page.goto(f"{live_server.url}/docs/{doc.slug}/")
    links = page.get_by_test_id("doc-links")
    links.get_by_label("Link to").select_option("metric")
    links.get_by_label("Title or #").press_sequentially("trial", delay=20)
    links.get_by_role("button", name="Link Trial-to-paid rate").click()
    expect(links.get_by_role("link", name="Trial-to-paid rate")).to_be_visible()
    assert list(doc.metrics.all()) == [metric]
    links.get_by_role("button", name="Remove the link to Trial-to-paid rate").click()
    expect(links).to_contain_text("Not linked to a request, roadmap item or metric yet")
    assert not doc.metrics.exists()
