import pytest
from django.urls import reverse

from docs_hub import services
from docs_hub.models import Doc
from prodops.search import engine
from tests.factories import RequestFactory
from tests.helpers import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def titles(groups, kind):
    return [h.title for source, hits in groups if source.kind == kind for h in hits]


def test_weights_stemming_websearch_and_typos(make_doc, users):
    make_doc("Exporting invoices to CSV", body="Billing settings hold the export.")
    make_doc("Team onboarding", body="Invoices are mentioned here once.", tags=["people"])
    make_doc("Holiday calendar", tags=["invoice"])
    search = lambda q: titles(engine.search_all(user=users["member"], q=q), "doc")  # noqa: E731
    # title (A) beats tags (B) beats body (C); "invoice" stems to match "invoices"
    assert search("invoice") == ["Exporting invoices to CSV", "Holiday calendar", "Team onboarding"]
    assert search('"team onboarding"') == ["Team onboarding"]
    assert "Exporting invoices to CSV" not in search("invoice -csv")
    assert search("invoces")[:1] == ["Exporting invoices to CSV"]  # a typo
    assert search("onboa")[:1] == ["Team onboarding"]  # a partial word


def test_stored_vector_is_kept_current_on_save(make_doc, users):
    doc = make_doc("Pricing page", body="nothing")
    assert titles(engine.search_all(user=users["member"], q="zeppelin"), "doc") == []
    services.doc_update(
        doc=doc, actor=users["member"], expected_version=doc.version, body="zeppelin"
    )
    assert titles(engine.search_all(user=users["member"], q="zeppelin"), "doc") == ["Pricing page"]


def test_snippets_escape_everything_but_the_marks(make_doc, users, clients):
    make_doc(
        "Widget guide",
        audience="stakeholders",
        body='Use the widget <script>alert("x")</script> <b onmouseover=alert(1)>widget</b>',
    )
    [hit] = engine.search_all(user=users["stakeholder"], q="widget", kinds={"doc"})[0][1]
    html = str(hit.snippet)
    assert "<mark>widget</mark>" in html
    assert "<script" not in html and "<b " not in html and "&lt;b onmouseover" in html
    for url in (reverse("search:index") + "?q=widget", reverse("api-search") + "?q=widget"):
        body = clients["stakeholder"].get(url).content.decode()
        assert "<script>alert" not in body and "<b onmouseover" not in body
    assert engine.highlight("a \x02b") == "a b"  # unpaired marks never leave a tag open


def test_results_obey_visibility(make_doc, users, clients):
    make_doc("Falcon team runbook", audience="team")
    make_doc("Falcon stakeholder guide", audience="stakeholders")
    make_doc("Falcon draft", audience="stakeholders", status=Doc.Status.DRAFT)
    mine = RequestFactory(title="Falcon request of mine", requester=users["stakeholder"])
    RequestFactory(title="Falcon private request of someone else", visible_to_stakeholders=False)
    shared = RequestFactory(title="Falcon shared request", visible_to_stakeholders=True)
    stakeholder = engine.search_all(user=users["stakeholder"], q="falcon")
    assert titles(stakeholder, "doc") == ["Falcon stakeholder guide"]
    assert sorted(titles(stakeholder, "request")) == sorted(
        [f"#{mine.pk} Falcon request of mine", f"#{shared.pk} Falcon shared request"]
    )
    member = engine.search_all(user=users["member"], q="falcon")
    assert len(titles(member, "doc")) == 3 and len(titles(member, "request")) == 3
    api = clients["stakeholder"].get(reverse("api-search") + "?q=falcon").json()
    shown = [r["title"] for g in api["groups"] for r in g["results"]]
    assert "Falcon team runbook" not in shown and "Falcon draft" not in shown
    assert clients["anonymous"].get(reverse("api-search") + "?q=falcon").status_code in (401, 403)
    assert clients["anonymous"].get(reverse("search:index") + "?q=falcon").status_code == 302


def test_header_dropdown_and_page(make_doc, clients):
    make_doc("Quarterly planning guide", audience="stakeholders")
    response = clients["stakeholder"].get(
        reverse("search:index") + "?q=planning",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="header-search-results",
    )
    html = response.content.decode()
    assert "Quarterly planning guide" in html and "<html" not in html and "data-search-hit" in html
    page = clients["stakeholder"].get(reverse("search:index") + "?q=planning").content.decode()
    assert "Quarterly planning guide" in page and 'id="header-search"' in page


def test_search_queries_do_not_grow(users, clients):
    def add(n):
        for i in range(n):
            services.doc_create(actor=users["member"], title=f"Harbor doc {i}", body="harbor")
            RequestFactory(title=f"Harbor request {i}", visible_to_stakeholders=True)

    url = reverse("search:index") + "?q=harbor"
    assert_queries_do_not_grow(lambda: clients["member"].get(url), add, before=3, after=30)


def test_search_api_refuses_bad_parameters(clients):
    client = clients["member"]
    assert client.get(reverse("api-search")).status_code == 400
    assert "q" in client.get(reverse("api-search") + "?q=a&q=b").json()
    assert "kind" in client.get(reverse("api-search") + "?q=abc&kind=nope").json()
    assert client.get(reverse("api-search") + "?q=abc&kind=doc").status_code == 200
