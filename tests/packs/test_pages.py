"""The lead's journey in the browser views: list, create, the pack page with every section,
the write-up with htmx, finalize, compare, CSV and the PDF."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from packs import services
from packs.models import ReviewPack


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def pack(quarter, users):
    return services.pack_create(actor=users["lead"], team=quarter["team"], period="2026-Q3")


def test_lead_starts_a_pack_for_their_team(clients, team):
    response = clients["lead"].post(reverse("packs:index"), {"team": team.pk, "period": "2026-q3"})
    pack = ReviewPack.objects.get()
    assert response.status_code == 302 and response["Location"] == pack.get_absolute_url()
    assert (pack.team, pack.period) == (team, "2026-Q3")


def test_bad_period_is_a_message_on_the_field(clients, team):
    response = clients["lead"].post(reverse("packs:index"), {"team": team.pk, "period": "soon"})
    assert response.status_code == 400
    assert "Period:" in response.content.decode()
    assert not ReviewPack.objects.exists()


def test_lead_of_another_team_and_member_cannot_start_one(clients, team, users, other_team):
    response = clients["member"].post(
        reverse("packs:index"), {"team": team.pk, "period": "2026-Q3"}
    )
    assert response.status_code == 403
    # The lead's form offers only their own team; another team's id is not a choice.
    response = clients["lead"].post(
        reverse("packs:index"), {"team": other_team.pk, "period": "2026-Q3"}
    )
    assert response.status_code == 400 and not ReviewPack.objects.exists()


def test_only_an_admin_starts_the_organisation_pack(clients, team):
    response = clients["lead"].post(reverse("packs:index"), {"team": "", "period": "2026-Q3"})
    assert response.status_code == 400 and not ReviewPack.objects.exists()
    response = clients["admin"].post(reverse("packs:index"), {"team": "", "period": "2026-Q3"})
    assert response.status_code == 302
    assert ReviewPack.objects.get().team is None


def test_pack_page_shows_every_section_with_charts(clients, pack):
    html = clients["member"].get(pack.get_absolute_url()).content.decode()
    for title in (
        "Intake",
        "Roadmap",
        "Buffer",
        "Objectives&#x27; health",
        "Outcomes: metrics and revisits",
        "Docs and deflections",
        "Pricing reviews",
    ):
        assert f">{title}</h2>" in html
    assert html.count("No data for this quarter yet.") == 2
    assert "<svg" in html and "Requests received by department" in html
    assert "40.0" in html  # the say/do ratio


def test_write_up_with_htmx_returns_the_panel_and_saves(clients, pack):
    response = clients["lead"].post(
        reverse("packs:write_up", args=[pack.pk]),
        {"version": pack.version, "narrative": "We **shipped** Alpha.", "decisions": "Keep 25 %"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<strong>shipped</strong>" in body and "<html" not in body
    pack.refresh_from_db()
    assert (pack.narrative, pack.version) == ("We **shipped** Alpha.", 2)
    stale = clients["lead"].post(
        reverse("packs:write_up", args=[pack.pk]),
        {"version": 1, "narrative": "overwrite"},
        HTTP_HX_REQUEST="true",
    )
    assert stale.status_code == 409
    pack.refresh_from_db()
    assert pack.narrative == "We **shipped** Alpha."


def test_member_cannot_write_or_finalize(clients, pack):
    assert (
        clients["member"]
        .post(reverse("packs:write_up", args=[pack.pk]), {"version": 1, "narrative": "x"})
        .status_code
        == 403
    )
    assert (
        clients["member"]
        .post(reverse("packs:finalize", args=[pack.pk]), {"version": 1})
        .status_code
        == 403
    )
    pack.refresh_from_db()
    assert (pack.narrative, pack.status) == ("", "draft")


def test_finalize_freezes_and_the_page_says_so(clients, pack):
    response = clients["lead"].post(reverse("packs:finalize", args=[pack.pk]), {"version": 1})
    assert response.status_code == 302
    pack.refresh_from_db()
    assert pack.is_final and pack.figures["sections"]["intake"]["received"] == 5
    html = clients["lead"].get(pack.get_absolute_url()).content.decode()
    assert "these figures are frozen" in html and 'data-testid="finalize"' not in html


def test_compare_with_last_quarter_side_by_side(clients, quarter, users):
    later = services.pack_create(actor=users["lead"], team=quarter["team"], period="2026-Q4")
    html = clients["member"].get(reverse("packs:compare", args=[later.pk])).content.decode()
    assert "2026-Q4" in html and "2026-Q3" in html
    assert '<th scope="row">Received</th><td>0</td><td>5</td>' in html


def test_csv_of_a_table(clients, pack):
    response = clients["member"].get(reverse("packs:csv", args=[pack.pk, "buffer", "by_who_asked"]))
    assert response.status_code == 200
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert rows[0] == "Who asked,Person-days,Entries"
    assert sorted(rows[1:]) == ["CFO,5.0,1", "Sales VP,5.0,2"]
    missing = clients["member"].get(reverse("packs:csv", args=[pack.pk, "buffer", "nope"]))
    assert missing.status_code == 404


def test_pdf_holds_the_pack(clients, pack, users):
    services.pack_update(pack=pack, actor=users["lead"], narrative="A steady quarter.")
    response = clients["lead"].get(reverse("packs:pdf", args=[pack.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Quarterly review 2026-Q3: Marketing Ops" in text
    assert "A steady quarter." in text
    assert "Say/do ratio (%): 40.0" in text
    assert "No data for this quarter yet." in text
    assert "Bravo secret" in text  # the internal version holds internal items


def test_print_stylesheet_is_linked(clients, pack):
    html = clients["member"].get(pack.get_absolute_url()).content.decode()
    assert "css/packs.css" in html


def test_pdf_prints_unicode_names_and_draws_the_charts(clients, pack, users, quarter):
    from decimal import Decimal

    from pypdf import PdfReader

    from roadmap.models import UnplannedEntry

    UnplannedEntry.objects.create(
        roadmap=quarter["q3"],
        day=quarter["q3"].period_start,
        days=Decimal(1),
        what="Data pull",
        requested_by="Zoë in Łódź",
        category="bug",
    )
    services.pack_update(
        pack=pack, actor=users["lead"], narrative="Zoë from Łódź saved €1 200 — Ωmega, Жук."
    )
    response = clients["lead"].get(reverse("packs:pdf", args=[pack.pk]))
    text = pdf_text(response.content)
    assert "Zoë from Łódź saved €1 200 — Ωmega, Жук." in text
    assert "Zoë in Łódź" in text
    reader = PdfReader(io.BytesIO(response.content))
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert all("DejaVuSans" in name for name in fonts), fonts

    # The buffer page draws its two charts' bars (4 categories, 3 people) as filled
    # rectangles in the chart colour, and its axes as lines.
    def page_with(text):
        page = next(p for p in reader.pages if text in p.extract_text())
        return page, page.get_contents().get_data().decode("latin-1")

    buffer_page, stream = page_with("Buffer by roadmap")
    _docs_page, no_charts = page_with("Docs and deflections")
    assert stream.count(" re f") >= no_charts.count(" re f") + 7
    assert "Unplanned work by category" in buffer_page.extract_text()
