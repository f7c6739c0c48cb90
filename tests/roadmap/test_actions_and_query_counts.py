"""Who may press each roadmap button in the browser, and how many queries the roadmap's
secondary pages and list endpoints cost as their rows grow."""

from decimal import Decimal

import pytest
from django.test import Client

from prodops.reviews.models import Cadence
from roadmap import services
from roadmap.models import RoadmapItem, RoadmapWatcher, Snapshot, UnplannedEntry
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix

EVERYONE = ("anonymous", "stakeholder", "member", "outsider", "lead", "admin")
# Expected statuses of a browser POST (302: done and redirected, or sent to sign in).
LEADS_ONLY = {
    "anonymous": 302,
    "stakeholder": 403,
    "member": 403,
    "outsider": 403,
    "lead": 302,
    "admin": 302,
}
TEAM_AND_LEADS = {**LEADS_ONLY, "member": 302}


@pytest.fixture
def all_clients(clients):
    """The usual role clients plus `outsider`: a member of another team."""
    outsider = UserFactory(username="outsider", role="member")
    MembershipFactory(team=TeamFactory(name="Product Ops", slug="product-ops"), user=outsider)
    client = Client()
    client.force_login(outsider)
    return {**clients, "outsider": client}


def _each_role_on_a_fresh_object(all_clients, make_url, expected: dict) -> None:
    """Actions that consume their object (remove, delete) get a new one per role."""
    for role, status in expected.items():
        assert_role_matrix(all_clients, "post", make_url(), {role: status})


# --- browser POST actions ------------------------------------------------------------------


@pytest.mark.django_db
def test_item_move_role_matrix(all_clients, roadmap, plan):
    item = plan(5)
    url = f"/roadmap/{roadmap.pk}/items/{item.pk}/move/"
    assert_role_matrix(
        all_clients,
        "post",
        url,
        {"anonymous": 302, "stakeholder": 403, "outsider": 403},
        data={"lane": "now"},
    )
    item.refresh_from_db()
    assert item.lane == "next"
    response = all_clients["outsider"].post(url, {"lane": "now", "version": item.version})
    assert "Only members of Marketing Ops" in response.content.decode()
    for role, lane in (("member", "now"), ("lead", "later"), ("admin", "next")):
        assert_role_matrix(
            all_clients, "post", url, {role: 302}, data={"lane": lane, "version": item.version}
        )
        item.refresh_from_db()
        assert item.lane == lane, role


@pytest.mark.django_db
def test_a_lane_move_carries_the_version_the_board_was_loaded_at(all_clients, roadmap, plan):
    item = plan(5)
    url = f"/roadmap/{roadmap.pk}/items/{item.pk}/move/"
    missing = all_clients["member"].post(url, {"lane": "now"})
    assert missing.status_code == 400 and "lost its version" in missing.content.decode()
    stale = all_clients["member"].post(url, {"lane": "now", "version": item.version - 1})
    assert stale.status_code == 409 and "Someone else changed" in stale.content.decode()
    item.refresh_from_db()
    assert item.lane == "next"
    board = all_clients["member"].get(f"/roadmap/{roadmap.pk}/").content.decode()
    assert f'name="version" value="{item.version}"' in board


@pytest.mark.django_db
def test_item_remove_role_matrix(all_clients, roadmap, plan):
    def fresh_item_url():
        return f"/roadmap/{roadmap.pk}/items/{plan(1).pk}/remove/"

    _each_role_on_a_fresh_object(all_clients, fresh_item_url, LEADS_ONLY)
    assert RoadmapItem.objects.filter(roadmap=roadmap).count() == 4  # six made, two removed


@pytest.mark.django_db
def test_unplanned_delete_role_matrix(all_clients, roadmap, log_unplanned):
    def fresh_entry_url():
        entry = log_unplanned(1)
        return f"/roadmap/{roadmap.pk}/unplanned/{entry.pk}/delete/"

    _each_role_on_a_fresh_object(all_clients, fresh_entry_url, TEAM_AND_LEADS)
    assert UnplannedEntry.objects.filter(roadmap=roadmap).count() == 3  # six made, three deleted


@pytest.mark.django_db
def test_watch_role_matrix(all_clients, roadmap, users):
    url = f"/roadmap/{roadmap.pk}/watch/"
    response = all_clients["anonymous"].post(url, {"watch": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert_role_matrix(
        all_clients,
        "post",
        url,
        {role: 302 for role in EVERYONE if role != "anonymous"},
        data={"watch": "1"},
    )
    assert RoadmapWatcher.objects.filter(roadmap=roadmap).count() == 5
    assert_role_matrix(all_clients, "post", url, {"stakeholder": 302}, data={"watch": "0"})
    assert not RoadmapWatcher.objects.filter(roadmap=roadmap, user=users["stakeholder"]).exists()


@pytest.mark.django_db
def test_snapshot_post_role_matrix(all_clients, roadmap):
    assert_role_matrix(
        all_clients,
        "post",
        f"/roadmap/{roadmap.pk}/snapshots/",
        LEADS_ONLY,
        data={"note": "before the offsite"},
    )
    assert Snapshot.objects.filter(roadmap=roadmap, note="before the offsite").count() == 2


# --- query counts ---------------------------------------------------------------------------


@pytest.fixture
def more_entries(team, log_unplanned):
    """add(n) logs n more unplanned entries, each by a different new member of the team."""

    def add(n):
        for _ in range(n):
            person = UserFactory(role="member")
            MembershipFactory(team=team, user=person, capacity_days=0)
            log_unplanned("0.1", actor=person, what="Quick fix")

    return add


@pytest.fixture
def more_snapshots(roadmap, users, plan):
    """add(n) takes n more snapshots, every other one at a completed review."""
    plan(5)

    def add(n):
        for index in range(n):
            if index % 2:
                services.roadmap_complete_review(roadmap=roadmap, actor=users["lead"])
            else:
                services.snapshot_take(roadmap=roadmap, actor=users["lead"], note=f"n{index}")

    return add


@pytest.fixture
def more_links(roadmap):
    """add(n) creates n more share links, each by a different new admin."""

    def add(n):
        for index in range(n):
            services.share_link_create(
                roadmap=roadmap, actor=UserFactory(role="admin"), label=f"Link {index}"
            )

    return add


@pytest.fixture
def more_members(roadmap, team, users):
    """add(n) puts n more people on the team, every other one with a capacity override."""

    def add(n):
        for index in range(n):
            person = UserFactory(role="member")
            MembershipFactory(team=team, user=person, capacity_days=10)
            if index % 2:
                services.roadmap_update(
                    roadmap=roadmap, actor=users["lead"], capacity_overrides={person.pk: 5}
                )

    return add


@pytest.fixture
def more_cadences(users):
    """add(n) creates n more roadmaps (each with a review cadence) for new teams and leads."""

    def add(n):
        for _ in range(n):
            lead = UserFactory(role="lead")
            team = TeamFactory(lead=lead)
            services.roadmap_create(actor=lead, team=team, period="2027-Q1")

    return add


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,rows,role,row_marker,shown",
    [
        ("unplanned/", "more_entries", "member", "<td>Quick fix</td>", 12),
        ("snapshots/", "more_snapshots", "member", "What changed since", 12),
        ("share/", "more_links", "lead", 'data-testid="share-url"', 12),
        ("settings/", "more_members", "lead", 'name="capacity_', 14),
    ],
)
def test_roadmap_secondary_pages_queries_do_not_grow(
    request, clients, roadmap, path, rows, role, row_marker, shown
):
    add = request.getfixturevalue(rows)
    url = f"/roadmap/{roadmap.pk}/{path}"
    assert_queries_do_not_grow(lambda: clients[role].get(url), add, before=2, after=12)
    assert clients[role].get(url).content.decode().count(row_marker) == shown


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,rows",
    [
        ("unplanned/", "more_entries"),
        ("snapshots/", "more_snapshots"),
        ("share-links/", "more_links"),
    ],
)
def test_roadmap_list_endpoints_queries_do_not_grow(request, api_clients, roadmap, path, rows):
    add = request.getfixturevalue(rows)
    url = f"/api/v1/roadmaps/{roadmap.pk}/{path}"
    assert_queries_do_not_grow(lambda: api_clients["lead"].get(url), add, before=2, after=12)
    assert api_clients["lead"].get(url).json()["count"] == 12


@pytest.mark.django_db
def test_cadence_list_queries_do_not_grow(api_clients, more_cadences):
    assert_queries_do_not_grow(
        lambda: api_clients["member"].get("/api/v1/cadences/"), more_cadences, before=2, after=12
    )
    assert Cadence.objects.count() == 12
    assert api_clients["member"].get("/api/v1/cadences/").json()["count"] == 12


@pytest.mark.django_db
def test_settings_rows_include_capacity_overrides(roadmap, more_members):
    more_members(4)
    assert sorted(o.capacity_days for o in roadmap.capacity_overrides.all()) == [
        Decimal("5"),
        Decimal("5"),
    ]
