"""A lead builds the quarter's review pack, writes the narrative (saved with htmx, no reload),
finalizes it and downloads the PDF."""

import io

import pytest
from pypdf import PdfReader

from intake.models import RequestStatus
from prodops.accounts.roles import Role
from tests.factories import MembershipFactory, RequestFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_builds_writes_finalizes_and_downloads_the_pdf(page, live_server, login):
    lead = UserFactory(username="lena", role=Role.LEAD)
    team = TeamFactory(name="Marketing Ops", slug="marketing-ops", lead=lead)
    MembershipFactory(team=team, user=lead, capacity_days=50)
    RequestFactory(team=team, status=RequestStatus.NEW, title="A fresh ask")

    login(page, lead)
    page.goto(f"{live_server.url}/packs/")
    page.get_by_label("Team").select_option(label="Marketing Ops")
    page.get_by_role("button", name="Start the pack").click()
    page.wait_for_url("**/packs/*/")
    assert page.get_by_role("heading", name="Intake").is_visible()
    assert page.get_by_role("heading", name="Pricing reviews").is_visible()

    page.get_by_text("Edit the write-up").click()
    page.get_by_role("textbox", name="Narrative").fill("We **kept** the buffer.")
    url_before = page.url
    page.get_by_test_id("save-writeup").click()
    page.locator("[data-testid=narrative] strong", has_text="kept").wait_for()
    assert page.url == url_before

    page.get_by_test_id("finalize").click()
    page.get_by_text("these figures are frozen").wait_for()
    assert page.get_by_test_id("pack-status").inner_text() == "Final"

    with page.expect_download() as download_info:
        page.get_by_test_id("pdf-link").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Quarterly review" in text and "Marketing Ops" in text
    assert "We **kept** the buffer." in text or "We kept the buffer." in text
