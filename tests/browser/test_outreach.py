import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from outreach.models import Touch
from prodops.accounts.roles import Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.outreach.factories import AccountFactory, ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_outreach_to_an_account_in_blackout_and_see_why_not(browser, live_server, login):
    researcher = UserFactory(username="milo", role=Role.MEMBER)
    team = TeamFactory(name="Product Ops", slug="product-ops")
    MembershipFactory(team=team, user=researcher)
    globex = AccountFactory(name="Globex", open_escalation=True)
    dev = ContactFactory(account=globex, name="Dev Desai", email="dev@globex.example")
    renewing = AccountFactory(
        name="Initech", renewal_date=timezone.localdate() + dt.timedelta(days=10)
    )
    ContactFactory(account=renewing, name="Eve Ellis", email="eve@initech.example")

    page = browser.new_context().new_page()
    login(page, researcher)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Outreach").first.click()
    page.get_by_role("link", name="Plan outreach").click()
    page.get_by_label("Title").fill("Onboarding interviews")
    page.get_by_label("Purpose").select_option("research_interview")
    page.get_by_label("Proposing team").select_option(label="Product Ops")
    page.get_by_label("Channel").select_option("video")
    page.get_by_label("Starts").fill(timezone.localdate().isoformat())
    page.get_by_label("Ends").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.get_by_label("Accounts").select_option(label="Globex")
    page.get_by_role("button", name="Save plan").click()
    page.wait_for_url("**/outreach/plans/*/")

    answer = page.get_by_test_id(f"preflight-{dev.pk}")
    expect(answer).to_contain_text("Not now")
    expect(answer).to_contain_text("Globex has an open escalation")
    expect(answer).to_contain_text("No date known yet")

    # Logging a touch anyway is refused in place: past the budget only a lead may, with a reason.
    page.evaluate("window.__noReload = 1")
    form = page.locator("#plan-body form")
    form.get_by_label("Contact").select_option(str(dev.pk))
    form.get_by_role("button", name="Log touch").click()
    expect(page.locator("#plan-body")).to_contain_text("Only a lead of Product Ops")
    assert page.evaluate("window.__noReload") == 1
    assert not Touch.objects.exists()

    # The pre-flight box answers for a contact at an account about to renew.
    page.goto(f"{live_server.url}/outreach/")
    page.get_by_label("Contact (name or email)").fill("eve@initech")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#preflight-answer")).to_contain_text("Initech renews on")
