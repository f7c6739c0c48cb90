"""`/api/v1/review-packs/`: create, every section as JSON, versions and 409, finalize, share
links, and the role matrix."""

import pytest
from django.urls import reverse

from packs import services
from packs.models import ReviewPack

from .test_commitments_and_sharing import SECRETS

LIST = "/api/v1/review-packs/"


def detail(pk):
    return f"{LIST}{pk}/"


@pytest.fixture
def draft(quarter, users):
    return services.pack_create(actor=users["lead"], team=quarter["team"], period="2026-Q3")


def test_lead_creates_and_gets_every_section(api_clients, quarter):
    response = api_clients["lead"].post(
        LIST, {"team": quarter["team"].pk, "period": "2026-Q3"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    keys = [s["key"] for s in body["sections"]]
    assert keys == ["intake", "roadmap", "buffer", "objectives", "metrics", "docs", "pricing"]
    sections = {s["key"]: s for s in body["sections"]}
    assert sections["intake"]["figures"]["received"] == 5
    assert sections["roadmap"]["figures"]["say_do_percent"] == "40.0"
    assert sections["metrics"] == {
        "key": "metrics",
        "title": "Outcomes: metrics and revisits",
        "has_data": False,
        "message": "No data for this quarter yet.",
        "figures": sections["metrics"]["figures"],
    }
    got = api_clients["member"].get(detail(body["id"])).json()
    assert [s["key"] for s in got["sections"]] == keys


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"team": None, "period": "2026"}, "period"),
        ({"team": 99999, "period": "2026-Q3"}, "team"),
        ({"period": "2026-Q3"}, "team"),
    ],
)
def test_bad_input_names_the_field(api_clients, payload, field):
    response = api_clients["admin"].post(LIST, payload, format="json")
    assert response.status_code == 400 and field in response.json()


def test_role_matrix_for_create(api_clients, quarter, other_team):
    team = quarter["team"].pk
    assert api_clients["anonymous"].post(LIST, {"team": team, "period": "2026-Q3"}).status_code in (
        401,
        403,
    )
    assert (
        api_clients["stakeholder"].post(LIST, {"team": team, "period": "2026-Q3"}).status_code
        == 403
    )
    assert api_clients["member"].post(LIST, {"team": team, "period": "2026-Q3"}).status_code == 403
    assert (
        api_clients["lead"].post(LIST, {"team": other_team.pk, "period": "2026-Q3"}).status_code
        == 403
    )
    assert (
        api_clients["lead"]
        .post(LIST, {"team": None, "period": "2026-Q3"}, format="json")
        .status_code
        == 403
    )
    assert (
        api_clients["admin"]
        .post(LIST, {"team": None, "period": "2026-Q3"}, format="json")
        .status_code
        == 201
    )
    assert (
        api_clients["admin"].post(LIST, {"team": other_team.pk, "period": "2026-Q3"}).status_code
        == 201
    )
    assert not ReviewPack.objects.filter(team=quarter["team"]).exists()


def test_update_needs_the_version_and_stale_is_409(api_clients, draft):
    lead = api_clients["lead"]
    assert lead.patch(detail(draft.pk), {"narrative": "x"}, format="json").status_code == 400
    ok = lead.patch(detail(draft.pk), {"narrative": "Told", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["narrative"] == "Told" and ok.json()["version"] == 2
    stale = lead.patch(detail(draft.pk), {"narrative": "Lost", "version": 1}, format="json")
    assert stale.status_code == 409 and "version" in stale.json()
    assert (
        api_clients["member"]
        .patch(detail(draft.pk), {"narrative": "m", "version": 2}, format="json")
        .status_code
        == 403
    )


def test_finalize_freezes_and_409_when_stale(api_clients, draft):
    lead = api_clients["lead"]
    url = reverse("review-pack-finalize", args=[draft.pk])
    assert lead.post(url, {"version": 7}, format="json").status_code == 409
    assert api_clients["member"].post(url, {"version": 1}, format="json").status_code == 403
    done = lead.post(url, {"version": 1}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "final"
    again = lead.post(url, {"version": 2}, format="json")
    assert again.status_code == 400 and "status" in again.json()
    frozen = lead.patch(detail(draft.pk), {"narrative": "late", "version": 2}, format="json")
    assert frozen.status_code == 400


def test_stakeholders_get_only_final_packs_and_only_their_version(api_clients, draft, users):
    stakeholder = api_clients["stakeholder"]
    assert stakeholder.get(LIST).json()["results"] == []
    assert stakeholder.get(detail(draft.pk)).status_code == 404
    services.pack_update(pack=draft, actor=users["lead"], internal_notes="Only for the team")
    services.pack_finalize(pack=draft, actor=users["lead"])
    body = stakeholder.get(detail(draft.pk))
    assert body.status_code == 200
    data = body.json()
    assert data["stakeholder_version"] is True and "internal_notes" not in data
    assert "buffer" not in [s["key"] for s in data["sections"]]
    text = body.content.decode()
    for secret in SECRETS:
        assert secret not in text, secret
    member = api_clients["member"].get(detail(draft.pk)).json()
    assert (
        member["stakeholder_version"] is False and member["internal_notes"] == "Only for the team"
    )


def test_share_links_for_leads_only(api_clients, draft, users, client):
    url = reverse("review-pack-share-links", args=[draft.pk])
    assert api_clients["lead"].post(url, {"label": "Board"}, format="json").status_code == 400
    services.pack_finalize(pack=draft, actor=users["lead"])
    made = api_clients["lead"].post(url, {"label": "Board"}, format="json")
    assert made.status_code == 201
    assert api_clients["member"].get(url).status_code == 403
    assert api_clients["stakeholder"].get(url).status_code == 403
    listed = api_clients["lead"].get(url).json()["results"]
    assert [link["label"] for link in listed] == ["Board"]
    page = client.get(made.json()["url"])
    assert page.status_code == 200
    past = api_clients["lead"].post(
        url, {"label": "x", "expires_at": "2020-01-01T00:00:00Z"}, format="json"
    )
    assert past.status_code == 400 and "expires_at" in past.json()


def test_list_query_count_does_not_grow(api_clients, users, django_assert_max_num_queries):
    from tests.factories import TeamFactory

    def make(n):
        for _ in range(n):
            team = TeamFactory(lead=users["lead"])
            services.pack_create(actor=users["admin"], team=team, period="2026-Q3")

    make(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert api_clients["member"].get(LIST).status_code == 200
    make(10)
    with CaptureQueriesContext(connection) as many:
        assert len(api_clients["member"].get(LIST).json()["results"]) == 12
    assert len(many) == len(few)
