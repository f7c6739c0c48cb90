import pytest
from playwright.sync_api import expect

from intake.models import Request
from prodops.accounts.roles import Role
from tests.factories import (
    DepartmentFactory,
    RequestFactory,
    RoutingRuleFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submit_see_similar_triage_inline_and_get_notified(browser, live_server, login):
    sales = DepartmentFactory(name="Sales", slug="sales")
    requester = UserFactory(username="sam", role=Role.STAKEHOLDER, department=sales)
    triager = UserFactory(username="milo", role=Role.MEMBER)
    existing = RequestFactory(title="Pipeline dashboard for sales leadership", requester=triager)
    # Sales requests are routed to Marketing Ops when submitted.
    mops = TeamFactory(name="Marketing Ops", slug="marketing-ops")
    RoutingRuleFactory(team=mops, category="", department=sales)

    stakeholder_page = browser.new_context().new_page()
    login(stakeholder_page, requester)
    stakeholder_page.goto(f"{live_server.url}/requests/new/")
    stakeholder_page.get_by_label("Title").press_sequentially("Sales pipeline dashboard", delay=20)
    suggestions = stakeholder_page.get_by_test_id("similar")
    suggestions.wait_for()
    assert existing.title in suggestions.inner_text()
    stakeholder_page.get_by_label("Description").fill("Weekly view of **stage** changes.")
    stakeholder_page.get_by_role("button", name="Submit request").click()
    stakeholder_page.wait_for_url("**/requests/*/")
    created = Request.objects.exclude(pk=existing.pk).get()
    assert created.department == sales and created.team == mops

    member_page = browser.new_context().new_page()
    login(member_page, triager)
    member_page.goto(f"{live_server.url}/requests/?status=new")
    expect(member_page.get_by_test_id("count-new")).to_have_text("2")
    # A full page load would drop this marker; htmx swaps keep it.
    member_page.evaluate("window.__noReload = 1")
    member_page.get_by_role("link", name=f"Triage #{created.pk}").click()
    panel = member_page.locator("#triage-panel")
    panel.get_by_label(f"Move #{created.pk} to").select_option("triaged")
    panel.get_by_role("button", name="Move").click()
    member_page.locator(f"#req-{created.pk} .badge").filter(has_text="Triaged").wait_for()
    # The per-status counts follow the change, out of band.
    expect(member_page.get_by_test_id("count-new")).to_have_text("1")
    expect(member_page.get_by_test_id("count-triaged")).to_have_text("1")
    assert member_page.evaluate("window.__noReload") == 1
    assert member_page.url.endswith("/requests/?status=new")

    # A bulk action answers with the refreshed queue and its message, without a reload.
    member_page.get_by_label(f"Select #{existing.pk}").check()
    member_page.locator("#bulk-form").get_by_label("Assign").select_option(str(triager.pk))
    member_page.locator("#bulk-form").get_by_role("button", name="Apply").click()
    expect(member_page.locator("#messages")).to_contain_text("Updated 1 request.")
    assert member_page.evaluate("window.__noReload") == 1
    assert Request.objects.get(pk=existing.pk).assignee == triager

    stakeholder_page.goto(f"{live_server.url}/requests/{created.pk}/")
    assert stakeholder_page.get_by_test_id("status").inner_text() == "Triaged"
    assert stakeholder_page.get_by_test_id("unread-count").inner_text() == "1"
    stakeholder_page.get_by_role("link", name="Notifications").click()
    assert "is now triaged" in stakeholder_page.locator("#notification-list").inner_text()


def test_team_is_changed_inline_in_the_queue(browser, live_server, login):
    triager = UserFactory(username="milo", role=Role.MEMBER)
    mops = TeamFactory(name="Marketing Ops", slug="marketing-ops")
    pops = TeamFactory(name="Product Ops", slug="product-ops")
    RoutingRuleFactory(team=pops, category=Request.Category.FIX)
    routed = RequestFactory(title="Refund wording", category=Request.Category.FIX)
    page = browser.new_context().new_page()
    login(page, triager)
    page.goto(f"{live_server.url}/requests/?team=none")
    page.evaluate("window.__noReload = 1")
    # The row shows the routing rule's suggestion; its triage panel pre-selects it.
    expect(page.locator(f"#req-{routed.pk}")).to_contain_text("Product Ops?")
    page.get_by_role("link", name=f"Triage #{routed.pk}").click()
    select = page.get_by_label(f"Team of #{routed.pk}")
    # The routing rule's team is pre-selected but not stored until someone confirms it.
    expect(select).to_have_value(str(pops.pk))
    select.select_option(str(mops.pk))
    page.locator("#triage-panel").get_by_role("button", name="Set team").click()
    expect(page.locator("#triage-panel")).to_contain_text("Team set to Marketing Ops.")
    expect(page.locator(f"#req-{routed.pk}")).to_contain_text("Marketing Ops")
    assert page.evaluate("window.__noReload") == 1
    routed.refresh_from_db()
    assert routed.team == mops
