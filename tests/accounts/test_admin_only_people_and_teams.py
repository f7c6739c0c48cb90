"""People, teams, team leads, membership and departments are written by admins only: in the
API, the Django admin and the pages. Teams and departments carry a version."""

import pytest

from prodops.accounts.models import Department, Team, TeamMembership
from prodops.accounts.roles import Role
from prodops.notifications.models import Notification
from roadmap import services as roadmap_services
from tests.factories import DepartmentFactory, MembershipFactory, TeamFactory, UserFactory
from tests.helpers import assert_role_matrix

REFUSED = {"anonymous": (401, 403), "stakeholder": 403, "member": 403, "lead": 403}


@pytest.fixture
def own_team(users):
    """The lead's own team: even here, a lead may not change the team itself."""
    team = TeamFactory(name="Marketing Ops", slug="marketing-ops", lead=users["lead"])
    MembershipFactory(team=team, user=users["lead"])
    MembershipFactory(team=team, user=users["member"])
    return team


def _write_operations(users, team: Team, department: Department):
    """Every write the team and department endpoints offer, with a body that would succeed
    for an admin: (method, url, body, admin's status)."""
    other_lead = UserFactory(role=Role.LEAD)
    return [
        ("post", "/api/v1/teams/", {"name": "New Ops", "slug": "new-ops"}, 201),
        (
            "patch",
            f"/api/v1/teams/{team.pk}/",
            {"lead": other_lead.pk, "version": team.version},
            200,
        ),
        (
            "put",
            f"/api/v1/teams/{team.pk}/",
            {"name": "Renamed Ops", "slug": "renamed-ops", "version": team.version + 1},
            200,
        ),
        ("delete", f"/api/v1/teams/{team.pk}/", None, 204),
        ("post", "/api/v1/departments/", {"name": "Legal", "slug": "legal"}, 201),
        (
            "patch",
            f"/api/v1/departments/{department.pk}/",
            {"liaisons": [users["lead"].pk], "version": department.version},
            200,
        ),
        (
            "put",
            f"/api/v1/departments/{department.pk}/",
            {"name": "Finance", "slug": "finance", "version": department.version + 1},
            200,
        ),
        ("delete", f"/api/v1/departments/{department.pk}/", None, 204),
    ]


@pytest.mark.django_db
def test_every_team_and_department_write_is_admin_only(api_clients, users, own_team):
    department = DepartmentFactory(name="Marketing", slug="marketing")
    operations = _write_operations(users, own_team, department)
    for method, url, body, _ in operations:
        assert_role_matrix(api_clients, method, url, REFUSED, data=body)
    own_team.refresh_from_db()
    department.refresh_from_db()
    assert (own_team.name, own_team.lead_id, own_team.version) == (
        "Marketing Ops",
        users["lead"].pk,
        1,
    )
    assert (department.name, list(department.liaisons.all()), department.version) == (
        "Marketing",
        [],
        1,
    )
    assert not Team.objects.filter(slug="new-ops").exists()
    assert not Department.objects.filter(slug="legal").exists()
    for method, url, body, status in operations:
        assert_role_matrix(api_clients, method, url, {"admin": status}, data=body)
    assert not Team.objects.filter(pk=own_team.pk).exists()
    assert not Department.objects.filter(pk=department.pk).exists()


@pytest.mark.django_db
def test_a_lead_cannot_take_over_a_team_or_change_its_members(api_clients, users, own_team):
    other = TeamFactory(name="Sales Ops", slug="sales-ops", lead=UserFactory(role=Role.LEAD))
    for team in (own_team, other):
        for body in (
            {"lead": users["lead"].pk},
            {"lead": users["stakeholder"].pk},
            {"memberships": [{"user": users["stakeholder"].pk}]},
        ):
            response = api_clients["lead"].patch(
                f"/api/v1/teams/{team.pk}/", {**body, "version": team.version}, format="json"
            )
            assert response.status_code == 403, (team, body)
    other.refresh_from_db()
    assert other.lead.username != users["lead"].username
    assert set(TeamMembership.objects.values_list("team_id", "user_id")) == {
        (own_team.pk, users["lead"].pk),
        (own_team.pk, users["member"].pk),
    }


@pytest.mark.django_db
def test_a_team_lead_must_have_the_lead_role(api_clients, users, own_team):
    url = f"/api/v1/teams/{own_team.pk}/"
    for role in ("stakeholder", "member"):
        response = api_clients["admin"].patch(
            url, {"lead": users[role].pk, "version": own_team.version}, format="json"
        )
        assert response.status_code == 400 and "lead" in response.json(), role
    response = api_clients["admin"].post(
        "/api/v1/teams/", {"name": "X", "slug": "x", "lead": users["member"].pk}, format="json"
    )
    assert response.status_code == 400 and "lead" in response.json()
    own_team.refresh_from_db()
    assert own_team.lead == users["lead"] and own_team.version == 1
    response = api_clients["admin"].patch(
        url, {"lead": users["admin"].pk, "version": own_team.version}, format="json"
    )
    assert response.status_code == 200 and response.json()["lead"] == users["admin"].pk


@pytest.mark.django_db
@pytest.mark.parametrize("resource", ["teams", "departments"])
def test_team_and_department_updates_carry_their_version(api_clients, resource):
    obj = TeamFactory() if resource == "teams" else DepartmentFactory()
    url = f"/api/v1/{resource}/{obj.pk}/"
    assert api_clients["admin"].get(url).json()["version"] == 1
    missing = api_clients["admin"].patch(url, {"name": "Renamed"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()
    done = api_clients["admin"].patch(url, {"name": "Renamed", "version": 1}, format="json")
    assert done.status_code == 200 and done.json()["version"] == 2
    stale = api_clients["admin"].patch(url, {"name": "Again", "version": 1}, format="json")
    assert stale.status_code == 409 and "version" in stale.json()
    obj.refresh_from_db()
    assert (obj.name, obj.version) == ("Renamed", 2)


@pytest.mark.django_db
def test_the_admin_site_writes_teams_and_departments_for_admins_only(clients, users, own_team):
    department = DepartmentFactory(name="Marketing", slug="marketing")
    urls = [
        "/admin/accounts/team/add/",
        f"/admin/accounts/team/{own_team.pk}/change/",
        f"/admin/accounts/team/{own_team.pk}/delete/",
        "/admin/accounts/department/add/",
        f"/admin/accounts/department/{department.pk}/change/",
        f"/admin/accounts/department/{department.pk}/delete/",
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{users['member'].pk}/change/",
    ]
    not_admin = {"anonymous": 302, "stakeholder": 302, "member": 302, "lead": 302}
    for url in urls:
        assert_role_matrix(clients, "get", url, {**not_admin, "admin": 200})
        assert_role_matrix(clients, "post", url, not_admin, data={"name": "Taken over"})
    own_team.refresh_from_db()
    department.refresh_from_db()
    assert own_team.name == "Marketing Ops" and department.name == "Marketing"


def _team_form(team: Team, **changes) -> dict:
    data = {
        "name": team.name,
        "slug": team.slug,
        "description": team.description,
        "lead": team.lead_id or "",
        "loaded_version": team.version,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_admin_site_refuses_a_lead_without_the_lead_role_and_stale_saves(clients, users):
    team = TeamFactory(name="Data Ops", slug="data-ops", lead=users["lead"])
    url = f"/admin/accounts/team/{team.pk}/change/"
    refused = clients["admin"].post(url, _team_form(team, lead=users["stakeholder"].pk))
    assert refused.status_code == 200 and "is not a lead" in refused.content.decode()
    saved = clients["admin"].post(url, _team_form(team, description="Reports"))
    assert saved.status_code == 302
    team.refresh_from_db()
    assert (team.description, team.version, team.lead) == ("Reports", 2, users["lead"])
    stale = clients["admin"].post(url, _team_form(team, description="Old", loaded_version=1))
    assert stale.status_code == 200 and "Someone else changed this" in stale.content.decode()
    team.refresh_from_db()
    assert team.description == "Reports"


@pytest.mark.django_db
def test_buffer_alerts_never_reach_a_team_lead_without_the_lead_role(users, accepted_roadmap):
    roadmap, team = accepted_roadmap
    # A lead demoted after being made lead (the team row itself is not re-validated then).
    Team.objects.filter(pk=team.pk).update(lead=users["stakeholder"])
    roadmap.refresh_from_db()
    roadmap_services.unplanned_log(
        roadmap=roadmap,
        actor=users["member"],
        day="2027-01-11",
        days=80,
        what="Urgent fix",
        requested_by="Sales",
    )
    assert not Notification.objects.filter(kind=Notification.Kind.BUFFER_ALERT).exists()
    Team.objects.filter(pk=team.pk).update(lead=users["lead"])
    roadmap.refresh_from_db()
    roadmap_services.buffer_alert_check(roadmap=roadmap)
    alerts = Notification.objects.filter(kind=Notification.Kind.BUFFER_ALERT)
    assert {n.recipient for n in alerts} == {users["lead"]}


@pytest.fixture
def accepted_roadmap(users, own_team):
    roadmap = roadmap_services.roadmap_create(actor=users["lead"], team=own_team, period="2027-Q1")
    return roadmap, own_team
