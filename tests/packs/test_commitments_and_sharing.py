"""Commitments become next quarter's roadmap items; the stakeholder version and share links
leak nothing internal, in HTML, JSON and PDF."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import RequestStatus
from packs import services
from prodops.core.errors import ValidationFailed
from roadmap.models import Roadmap
from tests.factories import ObjectiveFactory, RequestFactory

from .test_pages import pdf_text

SECRETS = (
    "Bravo secret",
    "Delta secret",
    "Echo secret",
    "secret note",
    "Board asked",
    "Oldest secret ask",
    "Untriaged secret ask",
    "Only for the team",
    "estimate",
    "Capacity",
    "Sales VP",
)


@pytest.fixture
def final_pack(quarter, users):
    pack = services.pack_create(actor=users["lead"], team=quarter["team"], period="2026-Q3")
    pack = services.pack_update(
        pack=pack,
        actor=users["lead"],
        narrative="Public story.",
        decisions="Keep going.",
        internal_notes="Only for the team: morale is low.",
    )
    services.commitment_add(pack=pack, actor=users["lead"], title="Ship the commission report")
    return services.pack_finalize(pack=pack, actor=users["lead"])


def _assert_no_leak(text: str):
    for secret in SECRETS:
        assert secret not in text, secret


def test_a_commitment_becomes_a_draft_item_on_next_quarters_roadmap(quarter, users, clients):
    objective = ObjectiveFactory(title="Commission clarity")
    request = RequestFactory(
        team=quarter["team"],
        status=RequestStatus.ACCEPTED,
        objective=objective,
        title="Commission report v2",
    )
    pack = services.pack_create(actor=users["lead"], team=quarter["team"], period="2026-Q4")
    commitment = services.commitment_add(
        pack=pack, actor=users["lead"], title="Commission report v2", request=request
    )
    response = clients["lead"].post(
        reverse("packs:commitment_plan", args=[pack.pk, commitment.pk]), {"estimate_days": "4"}
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    item = commitment.item
    assert item.roadmap.period == "2027-Q1" and item.roadmap.team == quarter["team"]
    assert (item.title, item.visibility, item.lane, str(item.estimate_days)) == (
        "Commission report v2",
        "internal",
        "next",
        "4.0",
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.PLANNED
    assert Roadmap.objects.filter(team=quarter["team"], period="2027-Q1").count() == 1
    with pytest.raises(ValidationFailed) as again:
        services.commitment_plan(commitment=commitment, actor=users["lead"])
    assert again.value.field == "item"


def test_a_commitment_without_a_request_is_refused_naming_it(quarter, users):
    pack = services.pack_create(actor=users["lead"], team=quarter["team"], period="2026-Q4")
    commitment = services.commitment_add(pack=pack, actor=users["lead"], title="Be faster")
    with pytest.raises(ValidationFailed) as refused:
        services.commitment_plan(commitment=commitment, actor=users["lead"])
    assert refused.value.field == "request"


def test_stakeholder_version_page_and_pdf_leak_nothing(final_pack, clients):
    for role in ("stakeholder", "member"):
        html = (
            clients[role].get(reverse("packs:stakeholder", args=[final_pack.pk])).content.decode()
        )
        assert "Public story." in html and "Alpha public" in html
        _assert_no_leak(html)
    # A stakeholder sent to the internal page lands on their version.
    response = clients["stakeholder"].get(final_pack.get_absolute_url())
    assert response["Location"] == reverse("packs:stakeholder", args=[final_pack.pk])
    pdf = clients["stakeholder"].get(reverse("packs:pdf", args=[final_pack.pk]))
    text = pdf_text(pdf.content)
    assert "Public story." in text and "Alpha public" in text
    _assert_no_leak(text)
    member_pdf = clients["member"].get(
        reverse("packs:pdf", args=[final_pack.pk]) + "?version=stakeholder"
    )
    _assert_no_leak(pdf_text(member_pdf.content))


def test_stakeholders_do_not_see_drafts(quarter, users, clients):
    draft = services.pack_create(actor=users["lead"], team=quarter["team"], period="2026-Q3")
    assert (
        clients["stakeholder"].get(reverse("packs:stakeholder", args=[draft.pk])).status_code == 404
    )
    assert clients["stakeholder"].get(reverse("packs:pdf", args=[draft.pk])).status_code == 404
    listing = clients["stakeholder"].get(reverse("packs:index")).content.decode()
    assert "2026-Q3" not in listing


def test_share_link_shows_the_stakeholder_version_until_it_expires(final_pack, users, client):
    link = services.share_link_create(
        pack=final_pack,
        actor=users["lead"],
        label="Board",
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200 and response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    assert "Alpha public" in html
    _assert_no_leak(html)
    pdf = client.get(reverse("pack_share:pdf", args=[link.token]))
    _assert_no_leak(pdf_text(pdf.content))
    type(link).objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(link.get_absolute_url()).status_code == 404
    assert client.get(reverse("pack_share:pdf", args=[link.token])).status_code == 404


def test_revoked_link_is_gone_and_drafts_cannot_be_shared(final_pack, quarter, users, client):
    link = services.share_link_create(pack=final_pack, actor=users["lead"])
    services.share_link_revoke(link=link, actor=users["lead"])
    assert client.get(link.get_absolute_url()).status_code == 404
    draft = services.pack_create(actor=users["lead"], team=quarter["team"], period="2026-Q4")
    with pytest.raises(ValidationFailed):
        services.share_link_create(pack=draft, actor=users["lead"])
