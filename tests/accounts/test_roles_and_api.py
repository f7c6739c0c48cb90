import pytest
from django.urls import reverse

from prodops.accounts.models import Department
from prodops.accounts.roles import Role, has_role
from tests.factories import ObjectiveFactory, UserFactory
from tests.helpers import assert_role_matrix


@pytest.mark.django_db
def test_role_order():
    stakeholder = UserFactory(role=Role.STAKEHOLDER)
    lead = UserFactory(role=Role.LEAD)
    assert has_role(stakeholder, Role.STAKEHOLDER)
    assert not has_role(stakeholder, Role.MEMBER)
    assert has_role(lead, Role.MEMBER) and has_role(lead, Role.LEAD)
    assert not has_role(lead, Role.ADMIN)


@pytest.mark.django_db
def test_inactive_user_has_no_role():
    user = UserFactory(role=Role.ADMIN, is_active=False)
    assert not has_role(user, Role.STAKEHOLDER)


@pytest.mark.django_db
def test_admin_site_follows_role(clients):
    assert_role_matrix(
        clients,
        "get",
        "/admin/",
        {"anonymous": 302, "stakeholder": 302, "member": 302, "lead": 302, "admin": 200},
    )


@pytest.mark.django_db
def test_token_auth_roundtrip(stakeholder):
    from rest_framework.test import APIClient

    client = APIClient()
    bad = client.post(
        "/api/v1/auth/token/", {"username": "stakeholder", "password": "nope"}, format="json"
    )
    assert bad.status_code == 400
    missing = client.post("/api/v1/auth/token/", {"username": "stakeholder"}, format="json")
    assert missing.status_code == 400 and "password" in missing.json()
    good = client.post(
        "/api/v1/auth/token/", {"username": "stakeholder", "password": "pw"}, format="json"
    )
    assert good.status_code == 200
    token = good.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "stakeholder"
    assert me.json()["role"] == "stakeholder"


@pytest.mark.django_db
def test_me_requires_authentication(api_clients):
    assert_role_matrix(
        api_clients,
        "get",
        "/api/v1/me/",
        {"anonymous": (401, 403), "stakeholder": 200, "admin": 200},
    )


@pytest.mark.django_db
def test_me_updates_own_notification_preference(api_clients, stakeholder):
    response = api_clients["stakeholder"].patch(
        "/api/v1/me/", {"email_notifications": False}, format="json"
    )
    assert response.status_code == 200
    stakeholder.refresh_from_db()
    assert stakeholder.email_notifications is False


@pytest.mark.django_db
def test_departments_and_teams_read_for_all(api_clients, department):
    for resource in ("departments", "teams"):
        assert_role_matrix(
            api_clients,
            "get",
            f"/api/v1/{resource}/",
            {"anonymous": (401, 403), "stakeholder": 200, "member": 200, "lead": 200, "admin": 200},
        )


@pytest.mark.django_db
def test_department_bad_input_names_field(api_clients):
    response = api_clients["admin"].post("/api/v1/departments/", {"name": ""}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()


@pytest.mark.django_db
def test_openapi_schema_and_docs(client, api_clients):
    schema = api_clients["stakeholder"].get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in (
        "/api/v1/objectives/",
        "/api/v1/departments/",
        "/api/v1/teams/",
        "/api/v1/me/",
        "/api/v1/auth/token/",
    ):
        assert path in text
    assert api_clients["stakeholder"].get(reverse("api-docs")).status_code == 200


@pytest.mark.django_db
def test_api_pagination_shape(api_clients, department):
    body = api_clients["member"].get("/api/v1/departments/").json()
    assert {"results", "count", "next"} <= set(body)


@pytest.mark.django_db
def test_department_and_team_endpoints_queries_do_not_grow(api_clients):
    from tests.factories import DepartmentFactory, MembershipFactory, TeamFactory
    from tests.helpers import assert_queries_do_not_grow

    def add_departments(n):
        for _ in range(n):
            DepartmentFactory().liaisons.add(UserFactory(role=Role.MEMBER))

    def add_teams(n):
        for _ in range(n):
            team = TeamFactory(lead=UserFactory(role=Role.LEAD))
            MembershipFactory.create_batch(2, team=team)

    assert_queries_do_not_grow(
        lambda: api_clients["member"].get("/api/v1/departments/"),
        add_departments,
        before=3,
        after=30,
    )
    assert_queries_do_not_grow(
        lambda: api_clients["member"].get("/api/v1/teams/"), add_teams, before=3, after=30
    )


@pytest.mark.django_db
def test_deleting_a_department_still_in_use_is_refused_with_the_reason(api_clients, department):
    ObjectiveFactory(level="department", department=department, parent=ObjectiveFactory())
    response = api_clients["admin"].delete(f"/api/v1/departments/{department.pk}/")
    assert response.status_code == 400
    assert "Sales is still used by 1 objective;" in response.json()["detail"]
    assert Department.objects.filter(pk=department.pk).exists()
    unused = Department.objects.create(name="Legal", slug="legal")
    assert api_clients["admin"].delete(f"/api/v1/departments/{unused.pk}/").status_code == 204


@pytest.mark.django_db
def test_api_docs_load_swagger_ui_from_our_static_files(api_clients):
    page = api_clients["member"].get(reverse("api-docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()


@pytest.mark.django_db
def test_stakeholders_do_not_read_team_capacity(api_clients, users):
    from tests.factories import MembershipFactory, TeamFactory

    team = TeamFactory()
    MembershipFactory(team=team, user=users["member"], capacity_days=42, allocation_percent=60)
    for role, shows in (("stakeholder", False), ("member", True), ("lead", True)):
        rows = api_clients[role].get("/api/v1/teams/").json()["results"]
        membership = rows[0]["memberships"][0]
        assert membership["user"]["username"] == "member"
        assert ("capacity_days" in membership) is shows, role
        assert ("allocation_percent" in membership) is shows, role


@pytest.mark.django_db
def test_schema_and_docs_are_for_signed_in_users_only(api_clients):
    anonymous = api_clients["anonymous"]
    assert anonymous.get("/api/schema/").status_code in (401, 403)
    assert anonymous.get("/api/schema/?format=json").status_code in (401, 403)
    docs = anonymous.get(reverse("api-docs"))
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")
    assert api_clients["stakeholder"].get("/api/schema/?format=json").status_code == 200
