import pytest
from playwright.sync_api import expect

from intake.models import Request, RequestStatus
from prodops.accounts.roles import Role
from tests.factories import (
    DepartmentFactory,
    RequestFactory,
    RoutingRuleFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_triage_from_the_keyboard_alone(page, live_server, login):
    """Filter, move with j/k, set a status, assign, and decline two with a reason, without
    touching the mouse and without a page reload."""
    sales = DepartmentFactory(name="Sales", slug="sales")
    # Sales requests are routed to Marketing Ops, so triage can move them on.
    mops = TeamFactory(name="Marketing Ops", slug="marketing-ops")
    RoutingRuleFactory(team=mops, category="", department=sales)
    me = UserFactory(username="kim", first_name="Kim", last_name="Keys", role=Role.MEMBER)
    ola = UserFactory(username="ola", first_name="Ola", last_name="Quinn", role=Role.MEMBER)
    oldest, older, newer, newest = (
        RequestFactory(title=f"Pipeline report {n}", department=sales) for n in range(4)
    )
    RequestFactory(title="Webinar follow-up emails")
    login(page, me)
    page.goto(f"{live_server.url}/requests/")
    page.evaluate("window.__noReload = 1")
    rows = page.locator("tr[data-row]")
    expect(rows).to_have_count(5)

    # `/` jumps to the search; typing filters the queue in place.
    page.keyboard.press("/")
    expect(page.get_by_label("Search", exact=True)).to_be_focused()
    page.keyboard.type("pipeline")
    expect(rows).to_have_count(4)
    page.keyboard.press("Escape")

    # j/k move the cursor, newest first.
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator("tr.current")).to_have_attribute("id", f"req-{newest.pk}")

    # `s` opens the triage panel at the status; Enter applies the picked one.
    page.keyboard.press("s")
    status = page.locator("#triage-panel [data-shortcut=status]")
    expect(status).to_be_focused()
    page.keyboard.type("Triaged")
    expect(status).to_have_value("triaged")
    page.keyboard.press("Enter")
    expect(page.locator(f"#req-{newest.pk} .badge")).to_have_text("Triaged")
    # The counts follow, under the search: three of the four are still new.
    expect(page.get_by_test_id("count-new")).to_have_text("3")
    expect(page.get_by_test_id("count-triaged")).to_have_text("1")

    # `a` goes to the assignee, for the same request (its panel knows the new version).
    page.keyboard.press("a")
    assignee = page.locator("#triage-panel [data-shortcut=assignee]")
    expect(assignee).to_be_focused()
    page.keyboard.type("Ola")
    expect(assignee).to_have_value(str(ola.pk))
    page.keyboard.press("Enter")
    expect(page.locator(f"#req-{newest.pk} abbr.avatar")).to_have_text("OQ")
    newest.refresh_from_db()
    assert (newest.status, newest.assignee.username, newest.team) == ("triaged", "ola", mops)

    # `x` selects rows; the bulk bar appears; `s` now means the selection's status.
    bulk_bar = page.locator("[data-bulk-bar]")
    expect(bulk_bar).to_be_hidden()
    page.keyboard.press("Escape")  # close the panel from the list
    expect(page.locator("#triage-panel")).to_be_hidden()
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(bulk_bar).to_be_visible()
    expect(bulk_bar).to_contain_text("2 selected")
    page.keyboard.press("s")
    expect(bulk_bar.get_by_label("Status")).to_be_focused()
    page.keyboard.type("Declined")
    page.keyboard.press("Tab")  # assign: keep
    page.keyboard.press("Tab")
    expect(bulk_bar.get_by_label("Reason")).to_be_focused()
    page.keyboard.type("Covered by the Q3 pipeline work")
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("Updated 2 requests.")
    declined = Request.objects.filter(status=RequestStatus.DECLINED)
    assert set(declined.values_list("pk", flat=True)) == {newer.pk, older.pk}
    assert set(declined.values_list("status_reason", flat=True)) == {
        "Covered by the Q3 pipeline work"
    }
    # Declined requests leave the default (open) queue.
    expect(rows).to_have_count(2)

    # `?` shows the shortcuts in a dialog; Escape closes it.
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()
    assert page.evaluate("window.__noReload") == 1
    assert oldest.pk in Request.objects.filter(status="new").values_list("pk", flat=True)


def test_merge_picks_the_target_by_title(page, live_server, login):
    me = UserFactory(username="kim", role=Role.MEMBER)
    original = RequestFactory(title="Renewal forecast by region")
    duplicate = RequestFactory(title="Forecast of renewals per region")
    login(page, me)
    page.goto(f"{live_server.url}/requests/")
    page.keyboard.press("j")  # the newest: the duplicate
    page.keyboard.press("m")
    search = page.locator("#triage-panel [data-shortcut=merge]")
    expect(search).to_be_focused()
    page.keyboard.type("renewal forecast")
    target = page.get_by_role("button", name=f"Merge into #{original.pk}")
    expect(target).to_be_visible()
    page.keyboard.press("Tab")
    expect(target).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#req-{duplicate.pk} .badge")).to_have_text("Duplicate")
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == original.pk
