"""A member imports a spreadsheet export in the browser: the columns are guessed, a likely
duplicate is flagged before anything is made, and the import happens without a reload."""

import pytest
from playwright.sync_api import expect

from intake.models import Request
from intake.services import request_create
from prodops.accounts.roles import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = """Title,Votes
Churn dashboard for the CS team,4
Competitor pricing tracker,2
"""


def test_import_a_csv_with_a_duplicate_flagged(page, live_server, login, tmp_path):
    asker = UserFactory(username="asker", role=Role.STAKEHOLDER)
    existing = request_create(requester=asker, title="Churn dashboard for customer success")
    me = UserFactory(username="mia", role=Role.MEMBER)
    login(page, me)
    page.goto(f"{live_server.url}/requests/")
    page.get_by_role("link", name="Import CSV").click()
    export = tmp_path / "export.csv"
    export.write_text(CSV)
    page.get_by_label("CSV file").set_input_files(str(export))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_label("Title")).to_have_value("Title")
    expect(page.get_by_label("Votes")).to_have_value("Votes")
    page.get_by_role("button", name="Check every line").click()
    counts = page.get_by_test_id("counts")
    expect(counts).to_contain_text("1 new")
    expect(counts).to_contain_text("1 likely duplicate")
    row = page.locator("#line-2")
    expect(row).to_contain_text("Likely duplicate")
    expect(row.get_by_role("link", name=f"#{existing.pk}")).to_be_visible()
    assert Request.objects.count() == 1  # the preview made nothing
    page.get_by_role("button", name="Import 1 requests").click()
    expect(page.get_by_test_id("batch")).to_have_attribute("data-status", "imported")
    assert Request.objects.filter(title="Competitor pricing tracker", vote_count=2).count() == 1
    assert Request.objects.count() == 2
    page.get_by_role("button", name="Undo this import").click()
    expect(page.get_by_test_id("batch")).to_have_attribute("data-status", "undone")
    assert Request.objects.count() == 1
