import pytest

from intake.models import Request
from prodops.accounts.roles import Role
from tests.factories import DepartmentFactory, RequestFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submit_see_similar_triage_inline_and_get_notified(browser, live_server, login):
    sales = DepartmentFactory(name="Sales", slug="sales")
    requester = UserFactory(username="sam", role=Role.STAKEHOLDER, department=sales)
    triager = UserFactory(username="milo", role=Role.MEMBER)
    existing = RequestFactory(title="Pipeline dashboard for sales leadership", requester=triager)

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
    assert created.department == sales

    member_page = browser.new_context().new_page()
    login(member_page, triager)
    member_page.goto(f"{live_server.url}/requests/?status=new")
    row = member_page.locator(f"#req-{created.pk}")
    row.get_by_label(f"Move #{created.pk} to").select_option("triaged")
    row.get_by_role("button", name="Move").click()
    member_page.get_by_test_id(f"status-{created.pk}").filter(has_text="Triaged").wait_for()
    assert member_page.url.endswith("/requests/?status=new")  # no full reload

    stakeholder_page.goto(f"{live_server.url}/requests/{created.pk}/")
    assert stakeholder_page.get_by_test_id("status").inner_text() == "Triaged"
    assert stakeholder_page.get_by_test_id("unread-count").inner_text() == "1"
    stakeholder_page.get_by_role("link", name="Notifications").click()
    assert "is now triaged" in stakeholder_page.locator("#notification-list").inner_text()
