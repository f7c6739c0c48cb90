import datetime as dt

import pytest
from django.utils import timezone

from outcomes import services
from outcomes.models import Coalition, CoalitionMeeting
from prodops.core.errors import NotAllowed, ValidationFailed
from prodops.reviews.models import Cadence, ReminderDelivery
from prodops.reviews.services import reviews_sweep
from tests.factories import DepartmentFactory, UserFactory
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix


@pytest.fixture
def people(users, department):
    """The stakeholder is in Sales; the member is put in Marketing."""
    marketing = DepartmentFactory(name="Marketing", slug="marketing")
    users["member"].department = marketing
    users["member"].save()
    return users


@pytest.fixture
def coalition(people, metric):
    return services.coalition_create(
        actor=people["lead"],
        name="Trial growth",
        charter="Sales and Marketing own **trial-to-paid** together.",
        status=Coalition.Status.ACTIVE,
        lead=people["lead"],
        review_on=dt.date(2027, 6, 30),
        meeting_interval_days=14,
        members=[people["stakeholder"], people["member"]],
        metrics=[metric],
    )


@pytest.mark.django_db
def test_members_must_come_from_two_departments(people):
    with pytest.raises(ValidationFailed) as error:
        services.coalition_create(
            actor=people["lead"],
            name="One department",
            charter="x",
            review_on=dt.date(2027, 1, 1),
            members=[
                people["stakeholder"],
                UserFactory(department=people["stakeholder"].department),
            ],
        )
    assert error.value.field == "members"
    assert not Coalition.objects.exists()


@pytest.mark.django_db
def test_only_leads_start_coalitions(people):
    with pytest.raises(NotAllowed):
        services.coalition_create(
            actor=people["member"],
            name="x",
            charter="x",
            review_on=dt.date(2027, 1, 1),
            members=[people["stakeholder"], people["member"]],
        )


@pytest.mark.django_db
def test_coalition_visibility_role_matrix(clients, coalition, people):
    outsider = UserFactory(username="outsider", role="stakeholder")
    url = f"/outcomes/coalitions/{coalition.pk}/"
    assert_role_matrix(
        clients,
        "get",
        url,
        {"anonymous": 302, "stakeholder": 200, "member": 200, "lead": 200, "admin": 200},
    )
    clients["stakeholder"].force_login(outsider)
    assert clients["stakeholder"].get(url).status_code == 403
    listed = clients["stakeholder"].get("/outcomes/coalitions/").content.decode()
    assert "Trial growth" not in listed
    assert_role_matrix(
        clients,
        "get",
        "/outcomes/coalitions/new/",
        {"anonymous": 302, "stakeholder": 403, "member": 403, "lead": 200, "admin": 200},
    )


@pytest.mark.django_db
def test_a_member_logs_a_meeting_and_the_next_reminder_moves(clients, coalition, people):
    url = f"/outcomes/coalitions/{coalition.pk}/"
    today = timezone.localdate()
    response = clients["stakeholder"].post(
        url, {"held_on": today.isoformat(), "decisions": "Run the pricing test in March"}
    )
    assert response.status_code == 302
    meeting = CoalitionMeeting.objects.get()
    assert meeting.recorded_by == people["stakeholder"]
    cadence = Cadence.objects.get(target_id=coalition.pk, title__startswith="Coalition meeting")
    assert cadence.next_due_on == today + dt.timedelta(days=14)
    assert cadence.owner == people["lead"]


@pytest.mark.django_db(transaction=True)
def test_meeting_reminder_once_per_date_and_none_when_paused(coalition, people):
    cadence = Cadence.objects.get(target_id=coalition.pk, title__startswith="Coalition meeting")
    for _ in range(3):
        reviews_sweep(today=cadence.next_due_on)
    assert ReminderDelivery.objects.filter(cadence=cadence).count() == 1
    services.coalition_update(
        coalition=coalition, actor=people["lead"], status=Coalition.Status.PAUSED
    )
    cadence.refresh_from_db()
    assert not cadence.active


@pytest.mark.django_db
def test_coalition_api(api_clients, coalition, people):
    listed = api_clients["stakeholder"].get("/api/v1/coalitions/").json()
    assert [c["name"] for c in listed["results"]] == ["Trial growth"]
    url = f"/api/v1/coalitions/{coalition.pk}/"
    stale = api_clients["lead"].patch(url, {"status": "paused", "version": 0}, format="json")
    assert stale.status_code == 409
    one_dept = api_clients["lead"].patch(
        url, {"members": [people["stakeholder"].pk], "version": 1}, format="json"
    )
    assert one_dept.status_code == 400 and "members" in one_dept.json()
    logged = api_clients["member"].post(
        url + "meetings/",
        {"held_on": timezone.localdate().isoformat(), "decisions": "Keep going"},
        format="json",
    )
    assert logged.status_code == 201
    assert api_clients["member"].get(url + "meetings/").json()["count"] == 1
    assert (
        api_clients["member"]
        .patch(url, {"status": "paused", "version": 1}, format="json")
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_coalition_lists_query_count_does_not_grow(clients, api_clients, people):
    def add(n):
        start = Coalition.objects.count()
        for i in range(n):
            services.coalition_create(
                actor=people["lead"],
                name=f"Coalition {start + i}",
                charter="Shared outcome.",
                review_on=dt.date(2027, 6, 30),
                members=[people["stakeholder"], people["member"]],
            )

    def both():
        page = clients["stakeholder"].get("/outcomes/coalitions/")
        api = api_clients["stakeholder"].get("/api/v1/coalitions/")
        assert page.status_code == api.status_code == 200
        return page

    assert_queries_do_not_grow(both, add, before=2, after=20)
