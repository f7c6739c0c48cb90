import csv
import io
from decimal import Decimal

import pytest

from intake.models import RequestStatus
from roadmap import services
from roadmap.models import Overcommit, Roadmap, RoadmapItem
from tests.factories import ObjectiveFactory, TeamFactory, UserFactory
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix


@pytest.fixture
def many_items(roadmap, users, objective, accepted):
    """add(n) plans n more small shared items (with a request each) on the roadmap."""

    def add(n):
        for _ in range(n):
            services.roadmap_item_create(
                roadmap=roadmap,
                actor=users["lead"],
                requests=[accepted()],
                objective=objective,
                estimate_days="0.1",
                visibility="shared",
                public_title="Shared thing",
            )

    return add


@pytest.mark.django_db
def test_internal_pages_role_matrix(clients, roadmap, plan):
    item = plan(5)
    base = f"/roadmap/{roadmap.pk}/"
    readers = {"anonymous": 302, "stakeholder": 403, "member": 200, "lead": 200, "admin": 200}
    for url in (
        base,
        f"{base}list/",
        f"{base}timeline/",
        f"{base}export.csv",
        f"{base}unplanned/",
        f"{base}snapshots/",
        f"{base}items/{item.pk}/edit/",
    ):
        assert_role_matrix(clients, "get", url, readers)
    leads = {"anonymous": 302, "stakeholder": 403, "member": 403, "lead": 200, "admin": 200}
    for url in (
        "/roadmap/new/",
        f"{base}settings/",
        f"{base}items/new/",
        f"{base}review/",
        f"{base}share/",
    ):
        assert_role_matrix(clients, "get", url, leads)
    assert_role_matrix(
        clients,
        "get",
        "/roadmap/shared/",
        {"anonymous": 302, "stakeholder": 200, "member": 200, "lead": 200, "admin": 200},
    )
    # stakeholders who open the roadmap section land on the stakeholder roadmap
    assert clients["stakeholder"].get("/roadmap/")["Location"] == "/roadmap/shared/"


@pytest.mark.django_db
def test_board_shows_all_figures(clients, roadmap, plan, users):
    plan(30)
    services.unplanned_log(
        roadmap=roadmap, actor=users["member"], day="2027-01-11", days=5, what="x", requested_by="y"
    )
    html = clients["member"].get(f"/roadmap/{roadmap.pk}/").content.decode()
    for label, value in (
        ("capacity", "100"),
        ("plannable", "75.0"),
        ("planned", "30.0"),
        ("free", "45.0"),
        ("burn", "20"),
    ):
        assert f'data-figure="{label}"' in html
        assert value in html.split(f'data-figure="{label}"')[1].split("</dd>")[0]
    assert "25 %" in html.split('data-figure="buffer"')[1].split("</dd>")[0]


@pytest.mark.django_db
def test_lane_move_by_htmx_returns_the_board_partial(clients, roadmap, plan):
    item = plan(5)
    url = f"/roadmap/{roadmap.pk}/items/{item.pk}/move/"
    response = clients["member"].post(
        url, {"lane": "now", "version": item.version}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="board"' in body and "<html" not in body
    item.refresh_from_db()
    assert item.lane == "now"
    # the same form without htmx redirects back to the board
    response = clients["member"].post(url, {"lane": "later", "version": item.version})
    assert response.status_code == 302
    # a stale version is refused with a message, not overwritten
    response = clients["member"].post(url, {"lane": "next", "version": 1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "Someone else changed this" in response.content.decode()
    item.refresh_from_db()
    assert item.lane == "later"


@pytest.mark.django_db
def test_member_of_another_team_gets_a_clear_refusal(client, roadmap, plan):
    outsider = UserFactory(username="outsider", role="member")
    client.force_login(outsider)
    item = plan(5)
    response = client.post(f"/roadmap/{roadmap.pk}/items/{item.pk}/move/", {"lane": "now"})
    assert response.status_code == 403
    assert "Only members of Marketing Ops" in response.content.decode()
    response = client.post(
        f"/roadmap/{roadmap.pk}/unplanned/",
        {"day": "2027-01-10", "days": "1", "what": "x", "requested_by": "y"},
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_member_of_another_team_is_not_offered_item_edit_links(client, roadmap, plan):
    client.force_login(UserFactory(username="outsider", role="member"))
    item = plan(5)
    edit_url = f"/roadmap/{roadmap.pk}/items/{item.pk}/edit/"
    for view in ("", "list/", "timeline/"):
        html = client.get(f"/roadmap/{roadmap.pk}/{view}").content.decode()
        assert item.title in html and edit_url not in html, view
    assert client.get(edit_url).status_code == 403


@pytest.mark.django_db
def test_plan_form_shows_overcommit_refusal_and_keeps_requests_accepted(
    clients, roadmap, plan, accepted, objective
):
    plan(70)
    request = accepted()
    response = clients["lead"].post(
        f"/roadmap/{roadmap.pk}/items/new/",
        {
            "requests": [request.pk],
            "estimate_days": "10",
            "objective": objective.pk,
            "lane": "next",
            "visibility": "internal",
        },
    )
    assert response.status_code == 400
    assert "80.0 of 75.0 plannable" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    response = clients["lead"].post(
        f"/roadmap/{roadmap.pk}/items/new/",
        {
            "requests": [request.pk],
            "estimate_days": "10",
            "objective": objective.pk,
            "lane": "next",
            "visibility": "internal",
            "override_reason": "CEO launch",
        },
    )
    assert response.status_code == 302
    board = clients["member"].get(f"/roadmap/{roadmap.pk}/").content.decode()
    assert "Over-committed" in board and "CEO launch" in board


@pytest.mark.django_db
def test_settings_form_refuses_buffer_outside_range(clients, roadmap):
    response = clients["lead"].post(
        f"/roadmap/{roadmap.pk}/settings/",
        {"form": "settings", "buffer_percent": "15", "version": roadmap.version},
    )
    assert response.status_code == 400
    assert "below 20 %" in response.content.decode()
    roadmap.refresh_from_db()
    assert roadmap.buffer_percent == Decimal("25")


@pytest.mark.django_db
def test_csv_export(clients, roadmap, plan):
    plan(5, title="Quote tool")
    response = clients["member"].get(f"/roadmap/{roadmap.pk}/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][1] == "title" and rows[1][1] == "Quote tool" and rows[1][10] == "5.0"


@pytest.mark.django_db
def test_filters_by_objective_and_department(clients, roadmap, plan, users, accepted):
    other = ObjectiveFactory(title="Cut cost")
    plan(5, title="Kept item")
    services.roadmap_item_create(
        roadmap=roadmap,
        actor=users["lead"],
        requests=[accepted()],
        objective=other,
        estimate_days=3,
        title="Filtered out",
    )
    html = (
        clients["member"].get(f"/roadmap/{roadmap.pk}/list/?objective={other.pk}").content.decode()
    )
    assert "Filtered out" in html and "Kept item" not in html
    item = RoadmapItem.objects.get(title="Kept item")
    dept = item.requests.get().department
    html = clients["member"].get(f"/roadmap/{roadmap.pk}/?department={dept.pk}").content.decode()
    assert "Kept item" in html and "Filtered out" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["", "list/", "timeline/", "export.csv"])
def test_roadmap_pages_queries_do_not_grow(clients, roadmap, many_items, path):
    assert_queries_do_not_grow(
        lambda: clients["member"].get(f"/roadmap/{roadmap.pk}/{path}"),
        many_items,
        before=3,
        after=25,
    )


@pytest.mark.django_db
def test_index_and_api_lists_queries_do_not_grow(clients, api_clients, roadmap, many_items, users):
    assert_queries_do_not_grow(
        lambda: api_clients["member"].get(f"/api/v1/roadmaps/{roadmap.pk}/items/"),
        many_items,
        before=3,
        after=25,
    )
    assert_queries_do_not_grow(
        lambda: api_clients["stakeholder"].get("/api/v1/shared-roadmaps/"),
        many_items,
        before=0,
        after=10,
    )

    def more_roadmaps(n):
        for _ in range(n):
            team = TeamFactory(lead=users["lead"])
            services.roadmap_create(actor=users["lead"], team=team, period="2027-Q1")

    assert_queries_do_not_grow(
        lambda: api_clients["member"].get("/api/v1/roadmaps/"), more_roadmaps, before=2, after=8
    )
    assert_queries_do_not_grow(
        lambda: clients["member"].get("/roadmap/"), more_roadmaps, before=0, after=4
    )


# --- API ---------------------------------------------------------------------------------

FIGURES = (
    "capacity_days",
    "buffer_percent",
    "plannable_days",
    "planned_days",
    "unplanned_days",
    "buffer_burn_percent",
)


@pytest.mark.django_db
def test_roadmap_api_role_rules_and_figures(api_clients, team, roadmap):
    assert_role_matrix(
        api_clients,
        "get",
        "/api/v1/roadmaps/",
        {"anonymous": (401, 403), "stakeholder": 403, "member": 200, "lead": 200, "admin": 200},
    )
    data = api_clients["member"].get(f"/api/v1/roadmaps/{roadmap.pk}/").json()
    assert {k: data[k] for k in FIGURES} == {
        "capacity_days": "100.0",
        "buffer_percent": "25.0",
        "plannable_days": "75.0",
        "planned_days": "0.0",
        "unplanned_days": "0.0",
        "buffer_burn_percent": "0.0",
    }
    for role, want in (("stakeholder", 403), ("member", 403), ("lead", 201)):
        response = api_clients[role].post(
            "/api/v1/roadmaps/", {"team": team.pk, "period": "2027-Q2"}, format="json"
        )
        assert response.status_code == want, role
    assert set(FIGURES) <= set(response.json())


@pytest.mark.django_db
def test_roadmap_api_buffer_out_of_range_names_field(api_clients, team, roadmap):
    response = api_clients["lead"].post(
        "/api/v1/roadmaps/",
        {"team": team.pk, "period": "2027-Q3", "buffer_percent": "35"},
        format="json",
    )
    assert response.status_code == 400 and "above 30" in response.json()["buffer_percent"][0]
    assert not Roadmap.objects.filter(period="2027-Q3").exists()
    response = api_clients["lead"].patch(
        f"/api/v1/roadmaps/{roadmap.pk}/",
        {"buffer_percent": "10", "version": roadmap.version},
        format="json",
    )
    assert response.status_code == 400 and "buffer_percent" in response.json()
    response = api_clients["lead"].patch(
        f"/api/v1/roadmaps/{roadmap.pk}/",
        {"buffer_percent": "20", "version": roadmap.version},
        format="json",
    )
    assert response.status_code == 200 and response.json()["plannable_days"] == "80.0"
    response = api_clients["lead"].patch(
        f"/api/v1/roadmaps/{roadmap.pk}/",
        {"buffer_percent": "30", "version": roadmap.version},
        format="json",
    )
    assert response.status_code == 409


@pytest.mark.django_db
def test_item_api_overcommit_refusal_and_override(api_clients, roadmap, plan, accepted, objective):
    plan(70)
    url = f"/api/v1/roadmaps/{roadmap.pk}/items/"
    request = accepted()
    body = {"requests": [request.pk], "objective": objective.pk, "estimate_days": "10"}
    response = api_clients["lead"].post(url, body, format="json")
    assert response.status_code == 400
    assert "80.0 of 75.0" in response.json()["estimate_days"][0]
    response = api_clients["member"].post(url, {**body, "override_reason": "x"}, format="json")
    assert response.status_code == 403
    response = api_clients["lead"].post(url, {**body, "override_reason": "Launch"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["overcommitted"] is True
    assert Overcommit.objects.get().reason == "Launch"
    data = api_clients["member"].get(f"/api/v1/roadmaps/{roadmap.pk}/").json()
    assert data["planned_days"] == "80.0" and data["overcommitted"] is True


@pytest.mark.django_db
def test_item_api_edit_rules(api_clients, roadmap, plan):
    item = plan(5)
    url = f"/api/v1/roadmaps/{roadmap.pk}/items/{item.pk}/"
    assert api_clients["stakeholder"].patch(url, {"lane": "now"}, format="json").status_code == 403
    response = api_clients["member"].patch(
        url, {"lane": "now", "version": item.version}, format="json"
    )
    assert response.status_code == 200 and response.json()["lane"] == "now"
    assert (
        api_clients["member"]
        .patch(url, {"lane": "later", "version": item.version}, format="json")
        .status_code
        == 409
    )
    item.refresh_from_db()
    response = api_clients["member"].patch(
        url, {"lane": "sideways", "version": item.version}, format="json"
    )
    assert response.status_code == 400 and "lane" in response.json()
    assert api_clients["member"].delete(url).status_code == 403
    assert api_clients["lead"].delete(url).status_code == 204


@pytest.mark.django_db
def test_unplanned_api(api_clients, roadmap):
    url = f"/api/v1/roadmaps/{roadmap.pk}/unplanned/"
    body = {"day": "2027-01-12", "days": "2.5", "what": "Urgent export", "requested_by": "Finance"}
    assert api_clients["stakeholder"].post(url, body, format="json").status_code == 403
    assert api_clients["member"].post(url, body, format="json").status_code == 201
    assert api_clients["member"].post(url, {**body, "what": ""}, format="json").status_code == 400
    data = api_clients["member"].get(f"/api/v1/roadmaps/{roadmap.pk}/").json()
    assert data["unplanned_days"] == "2.5" and data["buffer_burn_percent"] == "10.0"


@pytest.mark.django_db
def test_snapshot_and_share_link_api_are_for_leads(api_clients, roadmap):
    for path in ("snapshots", "share-links"):
        url = f"/api/v1/roadmaps/{roadmap.pk}/{path}/"
        for role, want in (("stakeholder", 403), ("member", 403), ("lead", 201)):
            assert api_clients[role].post(url, {}, format="json").status_code == want, (path, role)
    assert_role_matrix(
        api_clients,
        "post",
        f"/api/v1/roadmaps/{roadmap.pk}/complete-review/",
        {"stakeholder": 403, "member": 403, "lead": 200},
        data={"notes": "ok"},
    )


@pytest.mark.django_db
def test_schema_builds(api_clients):
    response = api_clients["admin"].get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/roadmaps/{roadmap_pk}/items/" in response.content


@pytest.mark.django_db
def test_roadmap_api_refuses_to_move_team_or_period(api_clients, team, roadmap):
    from tests.factories import TeamFactory

    other = TeamFactory()
    url = f"/api/v1/roadmaps/{roadmap.pk}/"
    response = api_clients["lead"].patch(url, {"period": "2027-Q2"}, format="json")
    assert response.status_code == 400 and "period" in response.json()
    response = api_clients["lead"].patch(url, {"team": other.pk}, format="json")
    assert response.status_code == 400 and "team" in response.json()
    # Sending the same values back (a full PUT of what was read) is fine.
    same = api_clients["lead"].patch(
        url, {"team": team.pk, "period": roadmap.period, "version": roadmap.version}, format="json"
    )
    assert same.status_code == 200
    roadmap.refresh_from_db()
    assert (roadmap.team_id, roadmap.period) == (team.pk, "2027-Q1")


@pytest.mark.django_db
def test_lane_move_on_a_filtered_board_keeps_the_filter(clients, roadmap, plan):
    import re

    kept = plan(5, title="Kept item")
    plan(5, title="Other department item")
    dept = kept.requests.get().department
    html = clients["member"].get(f"/roadmap/{roadmap.pk}/?department={dept.pk}").content.decode()
    assert "Other department item" not in html
    actions = set(re.findall(r'hx-post="([^"]*/items/\d+/move/[^"]*)"', html))
    assert actions and all(f"department={dept.pk}" in url for url in actions), actions
    [url] = [a for a in actions if f"/items/{kept.pk}/" in a]
    response = clients["member"].post(
        url.replace("&amp;", "&"), {"lane": "now", "version": kept.version}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kept item" in body and "Other department item" not in body
    assert f"department={dept.pk}" in body  # the next move keeps it too
    # Without htmx the redirect goes back to the filtered board.
    kept.refresh_from_db()
    response = clients["member"].post(
        url.replace("&amp;", "&"), {"lane": "later", "version": kept.version}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/roadmap/{roadmap.pk}/?department={dept.pk}"


@pytest.mark.django_db
def test_snapshot_diff_with_a_bad_to_is_a_400(api_clients, roadmap, users):
    from roadmap import services as roadmap_services

    snapshot = roadmap_services.snapshot_take(roadmap=roadmap, actor=users["lead"])
    url = f"/api/v1/roadmaps/{roadmap.pk}/snapshots/{snapshot.pk}/diff/"
    for bad in ("abc", "1.5", "-1"):
        response = api_clients["lead"].get(url, {"to": bad})
        assert response.status_code == 400 and "to" in response.json(), bad
    assert api_clients["lead"].get(url, {"to": "999999"}).status_code == 404
    assert api_clients["lead"].get(url).status_code == 200


@pytest.mark.django_db
def test_item_owner_must_be_on_the_team(api_clients, roadmap, plan, users):
    item = plan(5)
    url = f"/api/v1/roadmaps/{roadmap.pk}/items/{item.pk}/"
    outsider = users["stakeholder"]
    response = api_clients["lead"].patch(
        url, {"owner": outsider.pk, "version": item.version}, format="json"
    )
    assert response.status_code == 400 and "owner" in response.json()
    item.refresh_from_db()
    assert item.owner_id != outsider.pk
    ok = api_clients["lead"].patch(
        url, {"owner": users["member"].pk, "version": item.version}, format="json"
    )
    assert ok.status_code == 200


@pytest.mark.django_db
def test_empty_item_patch_with_a_stale_version_is_a_409(api_clients, roadmap, plan):
    item = plan(5)
    url = f"/api/v1/roadmaps/{roadmap.pk}/items/{item.pk}/"
    assert (
        api_clients["lead"].patch(url, {"version": item.version + 5}, format="json").status_code
        == 409
    )
    assert (
        api_clients["lead"].patch(url, {"version": item.version}, format="json").status_code == 200
    )


@pytest.mark.django_db
def test_unplanned_work_has_a_category_in_the_api(api_clients, roadmap):
    from roadmap.models import UnplannedEntry

    url = f"/api/v1/roadmaps/{roadmap.pk}/unplanned/"
    body = {"day": "2027-01-12", "days": "1", "what": "Audit ask", "requested_by": "Legal"}
    made = api_clients["member"].post(url, {**body, "category": "compliance"}, format="json")
    assert made.status_code == 201 and made.json()["category"] == "compliance"
    plain = api_clients["member"].post(url, body, format="json")
    assert plain.json()["category"] == "other"
    bad = api_clients["member"].post(url, {**body, "category": "chores"}, format="json")
    assert bad.status_code == 400 and "category" in bad.json()
    assert sorted(UnplannedEntry.objects.values_list("category", flat=True)) == [
        "compliance",
        "other",
    ]


@pytest.mark.django_db
def test_unplanned_work_has_a_category_in_the_browser(clients, roadmap):
    from roadmap.models import UnplannedEntry

    url = f"/roadmap/{roadmap.pk}/unplanned/"
    page = clients["member"].get(url).content.decode()
    assert 'name="category"' in page and "Support escalation" in page
    body = {"day": "2027-01-12", "days": "1", "what": "Outage", "requested_by": "Support"}
    response = clients["member"].post(url, {**body, "category": "support_escalation"})
    assert response.status_code == 302
    assert UnplannedEntry.objects.get().category == "support_escalation"
    assert "Support escalation" in clients["member"].get(url).content.decode()
    refused = clients["member"].post(url, {**body, "category": "chores"})
    assert refused.status_code == 400 and UnplannedEntry.objects.count() == 1
