"""A member assesses a request, a lead changes the weights and sees the order change, then
accepts the top request from the backlog."""

import re

import pytest
from playwright.sync_api import expect

from intake.models import Request, RequestStatus
from intake.scoring_services import assessment_save
from prodops.accounts.roles import Role
from tests.factories import RequestFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _titles(page) -> list[str]:
    rows = page.get_by_test_id("backlog-row")
    return [rows.nth(i).get_by_role("link").first.inner_text() for i in range(rows.count())]


def test_assess_reweight_and_accept(browser, page, live_server, login):
    member = UserFactory(username="b-member", role=Role.MEMBER)
    lead = UserFactory(username="b-lead", role=Role.LEAD)
    other = UserFactory(username="b-other", role=Role.MEMBER)
    big = RequestFactory(title="Partner portal", status=RequestStatus.TRIAGED)
    easy = RequestFactory(title="Fix UTM tags", status=RequestStatus.TRIAGED)
    # Weights 3:2:1 → portal 46.67, UTM 49.00; weights 5:1:1 → portal 56.00, UTM 40.00.
    assessment_save(
        request=big, assessor=other, impact=5, feasibility=2, effort_days=30, confidence=80
    )
    assessment_save(
        request=easy, assessor=other, impact=2, feasibility=5, effort_days=1, confidence=80
    )
    fresh = RequestFactory(title="Churn dashboard", status=RequestStatus.TRIAGED)

    # A member assesses a triaged request; it becomes scored.
    login(page, member)
    page.goto(f"{live_server.url}/requests/{fresh.pk}/assess/")
    page.get_by_label("Feasibility").select_option("1")
    page.get_by_label("Effort (person-days)").fill("40")
    page.get_by_label("Impact").select_option("1")
    page.get_by_label("Confidence").select_option("50")
    page.get_by_label("Rationale").fill("Needs a warehouse we do not have.")
    page.get_by_role("button", name="Submit assessment").click()
    expect(page.get_by_role("status").first).to_contain_text("Assessment saved")
    expect(page.get_by_test_id("status")).to_have_text("Scored")
    expect(page.get_by_test_id("assessment")).to_contain_text("Needs a warehouse")

    # The lead sees the backlog, changes the weights and sees the order change.
    lead_context = browser.new_context(viewport={"width": 1280, "height": 900})
    lead_context.set_default_timeout(10_000)
    lead_page = lead_context.new_page()
    try:
        login(lead_page, lead)
        lead_page.goto(f"{live_server.url}/requests/backlog/")
        assert _titles(lead_page) == ["Fix UTM tags", "Partner portal", "Churn dashboard"]
        lead_page.get_by_role("link", name="Change scoring model").click()
        lead_page.get_by_label("Impact weight").fill("5")
        lead_page.get_by_label("Feasibility weight").fill("1")
        lead_page.get_by_label("Cost weight").fill("1")
        lead_page.get_by_role("button", name="Save and re-rank").click()
        expect(lead_page.get_by_role("status").first).to_contain_text("re-ranked")
        expect(lead_page.get_by_test_id("formula")).to_contain_text("5·impact + 1·feasibility")
        lead_page.get_by_role("link", name="Ranked backlog").click()
        lead_page.wait_for_url(re.compile(r"/requests/backlog/$"))
        # Wait for the re-ranked page itself before reading the order.
        expect(
            lead_page.get_by_test_id("backlog-row").first.get_by_role("link").first
        ).to_have_text("Partner portal")
        assert _titles(lead_page) == ["Partner portal", "Fix UTM tags", "Churn dashboard"]
        top = lead_page.get_by_test_id("backlog-row").first
        top.get_by_test_id("score").click()  # the score explains itself
        expect(top.get_by_test_id("score")).to_contain_text("56.00")
        expect(top.get_by_text(re.compile(r"This request: 100 × \(5·5"))).to_be_visible()

        # The lead accepts the top request inline. A full page load would drop the marker;
        # htmx swaps keep it.
        lead_page.evaluate("window.__noReload = 1")
        top.get_by_role("button", name="Accept").click()
        expect(lead_page.locator(f"#backlog-row-{big.pk}").get_by_test_id("status")).to_have_text(
            "Accepted"
        )
        assert Request.objects.get(pk=big.pk).status == RequestStatus.ACCEPTED
        assert lead_page.evaluate("window.__noReload") == 1
        assert lead_page.url.endswith("/requests/backlog/")
    finally:
        lead_context.close()
