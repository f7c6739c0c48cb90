import pytest

from outcomes.models import Objective
from tests.factories import DepartmentFactory, ObjectiveFactory, UserFactory
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix


@pytest.fixture
def business(db):
    return ObjectiveFactory(title="Grow NRR", level=Objective.Level.BUSINESS, period="2027")


@pytest.mark.django_db
def test_objective_pages_role_matrix(clients, business):
    assert_role_matrix(
        clients,
        "get",
        "/outcomes/objectives/",
        {"anonymous": 302, "stakeholder": 200, "member": 200, "lead": 200, "admin": 200},
    )
    assert_role_matrix(
        clients,
        "get",
        "/outcomes/objectives/new/",
        {"anonymous": 302, "stakeholder": 403, "member": 403, "lead": 200, "admin": 200},
    )
    assert_role_matrix(
        clients,
        "get",
        f"/outcomes/objectives/{business.pk}/edit/",
        {"anonymous": 302, "stakeholder": 403, "member": 403, "lead": 200, "admin": 200},
    )


@pytest.mark.django_db
def test_refused_page_says_why(clients):
    response = clients["member"].get("/outcomes/objectives/new/")
    assert response.status_code == 403
    assert "lead role or higher" in response.content.decode()


@pytest.mark.django_db
def test_department_objective_must_roll_up_via_api(api_clients, department):
    response = api_clients["lead"].post(
        "/api/v1/objectives/",
        {
            "title": "Faster quotes",
            "level": "department",
            "department": department.pk,
            "period": "2027-Q1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert not Objective.objects.filter(title="Faster quotes").exists()


@pytest.mark.django_db
def test_department_objective_cannot_roll_up_to_department_objective(
    api_clients, business, department
):
    child = ObjectiveFactory(
        level=Objective.Level.DEPARTMENT, parent=business, department=department, period="2027-Q1"
    )
    response = api_clients["lead"].post(
        "/api/v1/objectives/",
        {
            "title": "Nested",
            "level": "department",
            "department": department.pk,
            "parent": child.pk,
            "period": "2027-Q1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "business objective" in response.json()["parent"][0]


@pytest.mark.django_db
def test_department_objective_created_when_rolled_up(api_clients, business, department):
    response = api_clients["lead"].post(
        "/api/v1/objectives/",
        {
            "title": "Faster quotes",
            "level": "department",
            "department": department.pk,
            "parent": business.pk,
            "period": "2027-q1",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["period"] == "2027-Q1"


@pytest.mark.django_db
def test_bad_period_names_field(api_clients):
    response = api_clients["lead"].post(
        "/api/v1/objectives/", {"title": "X", "level": "business", "period": "soon"}, format="json"
    )
    assert response.status_code == 400
    assert "period" in response.json()


@pytest.mark.django_db
def test_objective_api_role_rules(api_clients, business):
    assert_role_matrix(
        api_clients,
        "get",
        "/api/v1/objectives/",
        {"anonymous": (401, 403), "stakeholder": 200, "member": 200, "lead": 200, "admin": 200},
    )
    for role, want in (("stakeholder", 403), ("member", 403), ("lead", 200), ("admin", 200)):
        business.refresh_from_db()
        response = api_clients[role].patch(
            f"/api/v1/objectives/{business.pk}/",
            {"title": f"Grow NRR ({role})", "version": business.version},
            format="json",
        )
        assert response.status_code == want, role


@pytest.mark.django_db
def test_stale_version_is_refused_not_overwritten(api_clients, business):
    first = api_clients["lead"].patch(
        f"/api/v1/objectives/{business.pk}/",
        {"title": "Grow NRR to 115 %", "version": 1},
        format="json",
    )
    assert first.status_code == 200
    second = api_clients["admin"].patch(
        f"/api/v1/objectives/{business.pk}/", {"title": "Other", "version": 1}, format="json"
    )
    assert second.status_code == 409
    business.refresh_from_db()
    assert business.title == "Grow NRR to 115 %"


@pytest.mark.django_db
def test_create_form_shows_field_error_and_saves_nothing(clients, department):
    response = clients["lead"].post(
        "/outcomes/objectives/new/",
        {
            "title": "Dept goal",
            "level": "department",
            "department": department.pk,
            "period": "2027-Q1",
            "status": "active",
        },
    )
    assert response.status_code == 400
    assert "roll up to a business objective" in response.content.decode()
    assert not Objective.objects.filter(title="Dept goal").exists()


@pytest.mark.django_db
def test_create_form_saves_and_records_activity(clients, business, department, lead):
    from prodops.activity.selectors import activity_for

    response = clients["lead"].post(
        "/outcomes/objectives/new/",
        {
            "title": "Dept goal",
            "level": "department",
            "department": department.pk,
            "parent": business.pk,
            "period": "2027-Q1",
            "status": "active",
        },
    )
    assert response.status_code == 302
    objective = Objective.objects.get(title="Dept goal")
    events = list(activity_for(objective))
    assert events[0].verb == "created" and events[0].actor == lead


@pytest.mark.django_db
def test_objective_list_queries_do_not_grow(clients, api_clients):
    owner = UserFactory()
    dept = DepartmentFactory()

    def add(n):
        for _ in range(n):
            parent = ObjectiveFactory(owner=owner)
            ObjectiveFactory(
                level=Objective.Level.DEPARTMENT, parent=parent, department=dept, period="2027-Q1"
            )

    assert_queries_do_not_grow(
        lambda: clients["stakeholder"].get("/outcomes/objectives/"), add, before=5, after=40
    )
    # The endpoint is measured on top of those rows, adding more again.
    assert_queries_do_not_grow(
        lambda: api_clients["stakeholder"].get("/api/v1/objectives/"), add, before=5, after=40
    )


@pytest.mark.django_db
def test_update_without_version_is_refused(api_clients, business):
    response = api_clients["lead"].patch(
        f"/api/v1/objectives/{business.pk}/", {"title": "Blind write"}, format="json"
    )
    assert response.status_code == 400 and "version" in response.json()
    business.refresh_from_db()
    assert business.title == "Grow NRR"


@pytest.mark.django_db
def test_objective_with_children_cannot_become_a_department_objective(
    api_clients, business, department
):
    ObjectiveFactory(
        level=Objective.Level.DEPARTMENT, parent=business, department=department, period="2027-Q1"
    )
    response = api_clients["lead"].patch(
        f"/api/v1/objectives/{business.pk}/",
        {"level": "department", "department": department.pk, "version": business.version},
        format="json",
    )
    assert response.status_code == 400 and "level" in response.json()
    business.refresh_from_db()
    assert business.level == Objective.Level.BUSINESS


@pytest.mark.django_db
def test_edit_form_round_trip_and_stale_version(clients, business):
    url = f"/outcomes/objectives/{business.pk}/edit/"
    form = {"title": "Grow NRR to 120 %", "level": "business", "period": "2027", "status": "active"}
    saved = clients["lead"].post(url, {**form, "version": business.version})
    assert saved.status_code == 302
    stale = clients["admin"].post(url, {**form, "title": "Other", "version": business.version})
    assert stale.status_code == 400
    assert "Someone else changed this" in stale.content.decode()
    business.refresh_from_db()
    assert business.title == "Grow NRR to 120 %"
