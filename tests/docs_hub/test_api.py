import pytest

from docs_hub.models import Deflection, Doc
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix

pytestmark = pytest.mark.django_db

BASE = "/api/v1/docs/"


def test_audiences_in_the_api(make_doc, api_clients):
    team = make_doc("Team runbook", audience="team")
    stake = make_doc("Stakeholder guide", audience="stakeholders")
    cust = make_doc("Customer how-to", audience="customers")
    draft = make_doc("Stakeholder draft", audience="stakeholders", status=Doc.Status.DRAFT)
    seen = {d["title"] for d in api_clients["stakeholder"].get(BASE).json()["results"]}
    assert seen == {"Stakeholder guide", "Customer how-to"}
    for doc, code in ((team, 404), (draft, 404), (stake, 200), (cust, 200)):
        assert api_clients["stakeholder"].get(f"{BASE}{doc.pk}/").status_code == code
    assert len(api_clients["member"].get(BASE).json()["results"]) == 4
    assert api_clients["anonymous"].get(BASE).status_code in (401, 403)


def test_write_publish_verify_revisions_and_conflicts(api_clients, users):
    member, lead = api_clients["member"], api_clients["lead"]
    response = member.post(BASE, {"title": "", "body": "x"}, format="json")
    assert response.status_code == 400 and "title" in response.json()
    response = member.post(
        BASE, {"title": "Refunds", "body": "one", "tags": ["Billing"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    doc = response.json()
    assert doc["status"] == "draft" and doc["tags"] == ["billing"] and doc["version"] == 1
    url = f"{BASE}{doc['id']}/"
    assert member.patch(url, {"body": "two"}, format="json").status_code == 400  # no version
    assert member.patch(url, {"body": "two", "version": 1}, format="json").status_code == 200
    assert member.patch(url, {"body": "three", "version": 1}, format="json").status_code == 409
    revisions = member.get(f"{url}revisions/").json()["results"]
    assert [r["body"] for r in revisions] == ["two", "one"]
    assert member.post(f"{url}publish/", {}, format="json").status_code == 403
    assert lead.post(f"{url}publish/", {"version": 1}, format="json").status_code == 409
    published = lead.post(f"{url}publish/", {"version": 2}, format="json").json()
    assert published["status"] == "published" and published["needs_review"] is False
    assert api_clients["stakeholder"].post(f"{url}verify/", {}, format="json").status_code == 404
    assert member.post(f"{url}verify/", {}, format="json").status_code == 200  # the owner


def test_role_matrix(make_doc, api_clients):
    doc = make_doc("Stakeholder guide", audience="stakeholders")
    assert_role_matrix(
        api_clients,
        "post",
        BASE,
        {"anonymous": (401, 403), "stakeholder": 403, "member": 201, "lead": 201},
        data={"title": "Matrix doc"},
    )
    assert_role_matrix(
        api_clients,
        "patch",
        f"{BASE}{doc.pk}/",
        {"anonymous": (401, 403), "stakeholder": 403},
        data={"title": "x", "version": doc.version},
    )


def test_deflections(make_doc, api_clients, users):
    doc = make_doc("Customer how-to", audience="customers")
    team_doc = make_doc("Team runbook", audience="team")
    client = api_clients["stakeholder"]
    response = client.post(
        "/api/v1/deflections/", {"doc": doc.pk, "query": "how do I"}, format="json"
    )
    assert response.status_code == 201
    assert Deflection.objects.get().person == users["stakeholder"]
    hidden = client.post("/api/v1/deflections/", {"doc": team_doc.pk}, format="json")
    assert hidden.status_code == 400 and "doc" in hidden.json()
    assert len(client.get("/api/v1/deflections/").json()["results"]) == 1
    assert api_clients["lead"].get("/api/v1/deflections/").json()["results"][0]["doc"] == doc.pk
    assert api_clients["member"].get("/api/v1/deflections/").status_code == 200


def test_list_queries_do_not_grow(api_clients, users):
    from docs_hub import services

    def add(n):
        for _ in range(n):
            doc = services.doc_create(actor=users["member"], title="Doc", tags=["a"])
            services.deflection_record(doc=doc, person=users["member"], query="q")

    assert_queries_do_not_grow(lambda: api_clients["member"].get(BASE), add)
    assert_queries_do_not_grow(lambda: api_clients["member"].get("/api/v1/deflections/"), add)
