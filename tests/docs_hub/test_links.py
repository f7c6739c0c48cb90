"""Docs linked to requests, roadmap items and metrics: the htmx pickers on the doc page, the
API, who sees which link, and never a link on public help."""

import pytest
from django.urls import reverse

from docs_hub.models import Doc
from tests.factories import RequestFactory
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix
from tests.outcomes.conftest import make_metric  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked_world(make_doc, make_metric, plan):  # noqa: F811 - the imported fixture
    doc = make_doc("Refund policy", audience="customers")
    request = RequestFactory(title="Refunds for annual plans", visible_to_stakeholders=False)
    item = plan(3, title="Self-service refunds")
    metric = make_metric(name="Refund tickets per week")
    return doc, request, item, metric


def _link(client, doc, kind, target, *, action="add", version=None, htmx=True):
    data = {"action": action, "kind": kind, "target": target}
    data["version"] = Doc.objects.get(pk=doc.pk).version if version is None else version
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("docs_hub:link", args=[doc.slug]), data, **extra)


def test_member_links_and_unlinks_in_place(clients, linked_world):
    doc, request, item, metric = linked_world
    member = clients["member"]
    for kind, target in (("request", request.pk), ("roadmap_item", item.pk), ("metric", metric.pk)):
        response = _link(member, doc, kind, target)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="doc-links"' in html and "<html" not in html  # the section alone
    doc.refresh_from_db()
    assert list(doc.requests.all()) == [request]
    assert list(doc.roadmap_items.all()) == [item]
    assert list(doc.metrics.all()) == [metric]
    page = member.get(reverse("docs_hub:detail", args=[doc.slug])).content.decode()
    assert "Refunds for annual plans" in page and "Self-service refunds" in page
    assert reverse("outcomes:metric", args=[metric.pk]) in page
    # Linking again changes nothing; removing takes it away.
    version = Doc.objects.get(pk=doc.pk).version
    assert _link(member, doc, "metric", metric.pk).status_code == 200
    assert Doc.objects.get(pk=doc.pk).version == version
    response = _link(member, doc, "metric", metric.pk, action="remove")
    assert (
        response.status_code == 200 and "Refund tickets per week" not in response.content.decode()
    )
    assert not doc.metrics.exists()
    # Without htmx the page is reloaded with a message.
    assert _link(member, doc, "metric", metric.pk, htmx=False).status_code == 302


def test_link_pickers_find_by_title_and_leave_out_what_is_linked(clients, linked_world):
    doc, request, _item, metric = linked_world
    url = reverse("docs_hub:detail", args=[doc.slug])
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "link-choices"}
    html = clients["member"].get(url, {"kind": "metric", "q": "refund tick"}, **htmx)
    html = html.content.decode()
    assert "Refund tickets per week" in html and 'id="link-choices"' in html
    assert "<html" not in html
    by_number = clients["member"].get(url, {"kind": "request", "q": f"#{request.pk}"}, **htmx)
    assert "Refunds for annual plans" in by_number.content.decode()
    _link(clients["member"], doc, "metric", metric.pk)
    again = clients["member"].get(url, {"kind": "metric", "q": "refund tick"}, **htmx)
    assert "Refund tickets per week" not in again.content.decode()
    # Without JavaScript the same search reloads the whole page with the choices.
    page = clients["member"].get(url, {"kind": "roadmap_item", "q": "self-service"})
    assert "<html" in page.content.decode() and "Self-service refunds" in page.content.decode()


def test_bad_links_are_refused_naming_the_field(clients, linked_world):
    doc, _request, _item, metric = linked_world
    member = clients["member"]
    assert _link(member, doc, "invoice", 1).status_code == 400
    response = _link(member, doc, "metric", 999_999)
    assert response.status_code == 400 and "no such metric" in response.content.decode()
    assert _link(member, doc, "metric", "abc").status_code == 400
    assert _link(member, doc, "metric", metric.pk, action="swap").status_code == 400
    assert _link(member, doc, "metric", metric.pk, version=1_000).status_code == 409
    assert _link(clients["stakeholder"], doc, "metric", metric.pk).status_code == 403
    assert not doc.metrics.exists()


def test_internal_links_never_leave_the_team(clients, linked_world):
    """Public help shows no link at all; a stakeholder sees only requests they may see, and
    never roadmap items or metrics."""
    doc, request, item, metric = linked_world
    for kind, target in (("request", request.pk), ("roadmap_item", item.pk), ("metric", metric.pk)):
        _link(clients["member"], doc, kind, target)
    shared = RequestFactory(title="Refund button in portal", visible_to_stakeholders=True)
    _link(clients["member"], doc, "request", shared.pk)
    public = clients["anonymous"].get(reverse("help:detail", args=[doc.slug]))
    assert public.status_code == 200
    html = public.content.decode()
    for secret in (
        "Refunds for annual plans",
        "Refund button in portal",
        "Self-service refunds",
        "Refund tickets per week",
        "/requests/",
        "/roadmap",
        "/outcomes/",
        "Linked",
    ):
        assert secret not in html, secret
    stakeholder = clients["stakeholder"].get(reverse("docs_hub:detail", args=[doc.slug]))
    html = stakeholder.content.decode()
    assert "Refund button in portal" in html
    for hidden in ("Refunds for annual plans", "Self-service refunds", "Refund tickets per week"):
        assert hidden not in html
    assert 'id="link-q"' not in html  # no picker either


def test_links_in_the_api(api_clients, linked_world):
    doc, request, _item, metric = linked_world
    url = f"/api/v1/docs/{doc.pk}/links/"
    member = api_clients["member"]
    assert member.get(url).json() == {
        "version": doc.version,
        "requests": [],
        "roadmap_items": [],
        "metrics": [],
    }
    body = {"kind": "metric", "target": metric.pk, "version": doc.version}
    response = member.post(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["metrics"] == [{"id": metric.pk, "title": "Refund tickets per week"}]
    assert member.post(url, body, format="json").status_code == 409  # the version moved on
    version = response.json()["version"]
    response = member.post(
        url, {"kind": "request", "target": request.pk, "version": version}, format="json"
    )
    assert response.json()["requests"] == [{"id": request.pk, "title": request.title}]
    bad = member.post(url, {"kind": "deal", "target": 1}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()
    missing = member.post(url, {"kind": "roadmap_item", "target": 999_999}, format="json")
    assert missing.status_code == 400 and "target" in missing.json()
    removed = member.post(f"{url}remove/", {"kind": "metric", "target": metric.pk}, format="json")
    assert removed.status_code == 200 and removed.json()["metrics"] == []
    assert_role_matrix(
        api_clients, "get", url, {"anonymous": 401, "stakeholder": 403, "member": 200, "lead": 200}
    )
    assert_role_matrix(
        api_clients,
        "post",
        url,
        {"anonymous": 401, "stakeholder": 403},
        data={"kind": "metric", "target": metric.pk},
        format="json",
    )


def test_links_endpoint_queries_do_not_grow(api_clients, make_doc):
    doc = make_doc("Billing FAQ")

    def add(n):
        doc.requests.add(*RequestFactory.create_batch(n))

    assert_queries_do_not_grow(
        lambda: api_clients["member"].get(f"/api/v1/docs/{doc.pk}/links/"), add
    )


def test_header_search_finds_metrics_for_people_signed_in(make_metric, users, api_clients):  # noqa: F811
    from prodops.search import engine

    make_metric(name="Weekly refund tickets")
    groups = engine.search_all(user=users["stakeholder"], q="refund ticket")
    assert [(s.kind, [h.title for h in hits]) for s, hits in groups if s.kind == "metric"] == [
        ("metric", ["Weekly refund tickets"])
    ]
    found = api_clients["member"].get("/api/v1/search/?q=refund&kind=metric").json()
    assert [g["kind"] for g in found["groups"]] == ["metric"]
