"""Items move between quarters of a team, and requests join or leave an existing item."""

import datetime as dt
from decimal import Decimal

import pytest

from intake.models import RequestStatus
from prodops.core.errors import NotAllowed, ValidationFailed
from prodops.notifications.models import Notification
from roadmap import selectors, services
from roadmap.models import ItemPeriodMove, Overcommit, RoadmapItem
from tests.factories import TeamFactory
from tests.helpers import assert_role_matrix


@pytest.fixture
def next_quarter(team, users):
    return services.roadmap_create(actor=users["lead"], team=team, period="2027-Q2")


def planned_days(roadmap):
    return selectors.roadmap_figures(selectors.roadmap_get(roadmap.pk)).planned_days


# --- moving between quarters --------------------------------------------------------------


@pytest.mark.django_db
def test_lead_moves_an_item_to_another_quarter(roadmap, next_quarter, plan, users):
    item = plan(10, start_month=dt.date(2027, 2, 1), end_month=dt.date(2027, 3, 1))
    request = item.requests.get()
    version = item.version
    services.roadmap_item_move_period(
        item=item, to_roadmap=next_quarter, actor=users["lead"], expected_version=version
    )
    item.refresh_from_db()
    assert item.roadmap == next_quarter
    assert item.start_month is None and item.end_month is None  # months of the old quarter
    assert item.version == version + 1
    assert planned_days(roadmap) == Decimal("0") and planned_days(next_quarter) == Decimal("10")
    request.refresh_from_db()
    assert request.status == RequestStatus.PLANNED
    move = ItemPeriodMove.objects.get()
    assert (move.from_roadmap, move.to_roadmap, move.moved_by) == (
        roadmap,
        next_quarter,
        users["lead"],
    )


@pytest.mark.django_db
def test_moving_between_quarters_is_refused_with_reasons(roadmap, next_quarter, plan, users, team):
    item = plan(10)
    with pytest.raises(NotAllowed):
        services.roadmap_item_move_period(item=item, to_roadmap=next_quarter, actor=users["member"])
    other_team = services.roadmap_create(
        actor=users["lead"], team=TeamFactory(lead=users["lead"]), period="2027-Q2"
    )
    ended = services.roadmap_create(actor=users["lead"], team=team, period="2025-Q4")
    for target, words in (
        (other_team, "same team"),
        (roadmap, "already on"),
        (ended, "has ended"),
    ):
        with pytest.raises(ValidationFailed) as error:
            services.roadmap_item_move_period(item=item, to_roadmap=target, actor=users["lead"])
        assert error.value.field == "to_roadmap" and words in error.value.message
    shipped = plan(5)
    services.roadmap_item_update(item=shipped, actor=users["member"], status="shipped")
    with pytest.raises(ValidationFailed) as error:
        services.roadmap_item_move_period(
            item=shipped, to_roadmap=next_quarter, actor=users["lead"]
        )
    assert error.value.field == "to_roadmap"
    assert RoadmapItem.objects.filter(roadmap=next_quarter).count() == 0


@pytest.mark.django_db
def test_moving_runs_the_commitment_check_on_the_target_quarter(roadmap, next_quarter, plan, users):
    plan(70, on=next_quarter)
    item = plan(10)
    with pytest.raises(ValidationFailed) as error:
        services.roadmap_item_move_period(item=item, to_roadmap=next_quarter, actor=users["lead"])
    assert error.value.field == "to_roadmap" and "80.0 of 75.0" in error.value.message
    item.refresh_from_db()
    assert item.roadmap == roadmap
    services.roadmap_item_move_period(
        item=item, to_roadmap=next_quarter, actor=users["lead"], override_reason="Launch slipped"
    )
    record = Overcommit.objects.get(roadmap=next_quarter)
    assert record.item_id == item.pk and record.reason == "Launch slipped"


@pytest.mark.django_db
def test_what_changed_reports_a_period_move_on_both_roadmaps(
    clients, api_clients, roadmap, next_quarter, plan, users
):
    item = plan(10, title="Quote tool")
    before_q1 = services.snapshot_take(roadmap=roadmap, actor=users["lead"])
    before_q2 = services.snapshot_take(roadmap=next_quarter, actor=users["lead"])
    services.roadmap_item_move_period(item=item, to_roadmap=next_quarter, actor=users["lead"])

    out = {"kind": "moved_period", "direction": "out", "from": "2027-Q1", "to": "2027-Q2"}
    came_in = {**out, "direction": "in"}
    for source, snapshot, change, text in (
        (roadmap, before_q1, out, "moved out to 2027-Q2"),
        (next_quarter, before_q2, came_in, "moved in from 2027-Q1"),
    ):
        url = f"/api/v1/roadmaps/{source.pk}/snapshots/{snapshot.pk}/diff/"
        assert api_clients["member"].get(url).json()["changes"] == [
            {"item_id": item.pk, "title": "Quote tool", "changes": [change]}
        ]
        html = clients["member"].get(f"/roadmap/{source.pk}/snapshots/{snapshot.pk}/").content
        assert text in html.decode()
    # Comparing two snapshots of the target reports it the same way.
    after_q2 = services.snapshot_take(roadmap=next_quarter, actor=users["lead"])
    url = f"/api/v1/roadmaps/{next_quarter.pk}/snapshots/{before_q2.pk}/diff/?to={after_q2.pk}"
    assert api_clients["member"].get(url).json()["changes"][0]["changes"] == [came_in]
    # A snapshot taken after the move sees nothing new.
    url = f"/api/v1/roadmaps/{next_quarter.pk}/snapshots/{after_q2.pk}/diff/"
    assert api_clients["member"].get(url).json()["changes"] == []


@pytest.mark.django_db
def test_reviews_and_watchers_hear_of_a_period_move(roadmap, next_quarter, plan, users):
    item = plan(10, visibility="shared", public_title="Quotes in the CRM")
    services.roadmap_watch(roadmap=next_quarter, user=users["stakeholder"])
    services.roadmap_watch(roadmap=roadmap, user=users["stakeholder"])
    for each in (roadmap, next_quarter):
        services.roadmap_complete_review(roadmap=each, actor=users["lead"])
    services.roadmap_item_move_period(item=item, to_roadmap=next_quarter, actor=users["lead"])
    _, _, changes = services.roadmap_complete_review(roadmap=roadmap, actor=users["lead"])
    assert changes[0]["changes"][0]["kind"] == "moved_period"
    _, _, changes = services.roadmap_complete_review(roadmap=next_quarter, actor=users["lead"])
    assert changes[0]["changes"][0]["direction"] == "in"
    bodies = list(
        Notification.objects.filter(
            recipient=users["stakeholder"], kind=Notification.Kind.ROADMAP_CHANGED
        ).values_list("body", flat=True)
    )
    assert "Moved to 2027-Q2: Quotes in the CRM" in bodies
    assert "Moved here from 2027-Q1: Quotes in the CRM" in bodies


@pytest.mark.django_db
def test_move_period_api(api_clients, roadmap, next_quarter, plan, users):
    item = plan(10)
    url = f"/api/v1/roadmaps/{roadmap.pk}/items/{item.pk}/move-period/"
    assert_role_matrix(
        api_clients,
        "post",
        url,
        {"anonymous": (401, 403), "stakeholder": 403, "member": 403},
        data={"to_roadmap": next_quarter.pk},
    )
    other_team = services.roadmap_create(
        actor=users["lead"], team=TeamFactory(lead=users["lead"]), period="2027-Q2"
    )
    for body in ({"to_roadmap": other_team.pk}, {"to_roadmap": 999999}, {}):
        response = api_clients["lead"].post(url, body, format="json")
        assert response.status_code == 400 and "to_roadmap" in response.json(), body
    stale = api_clients["lead"].post(
        url, {"to_roadmap": next_quarter.pk, "version": item.version + 5}, format="json"
    )
    assert stale.status_code == 409
    response = api_clients["lead"].post(
        url, {"to_roadmap": next_quarter.pk, "version": item.version}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == item.pk
    assert (
        api_clients["member"]
        .get(f"/api/v1/roadmaps/{next_quarter.pk}/items/{item.pk}/")
        .status_code
        == 200
    )
    assert api_clients["member"].get(url.replace("move-period/", "")).status_code == 404


# --- requests on an existing item ---------------------------------------------------------


@pytest.mark.django_db
def test_lead_adds_and_removes_requests_of_an_item(plan, accepted, users):
    item = plan(10)
    first = item.requests.get()
    second, third = accepted(), accepted()
    services.roadmap_item_set_requests(item=item, requests=[first, second], actor=users["lead"])
    second.refresh_from_db()
    assert second.status == RequestStatus.PLANNED
    services.roadmap_item_update(item=item, actor=users["member"], status="in_progress")
    services.roadmap_item_set_requests(item=item, requests=[second, third], actor=users["lead"])
    for request, status in (
        (first, RequestStatus.ACCEPTED),
        (second, RequestStatus.IN_PROGRESS),
        (third, RequestStatus.IN_PROGRESS),
    ):
        request.refresh_from_db()
        assert request.status == status, request
    assert set(item.requests.all()) == {second, third}
    # The freed request can be planned again.
    assert first in selectors.plannable_requests(roadmap=item.roadmap)


@pytest.mark.django_db
def test_changing_an_items_requests_is_refused_with_reasons(plan, accepted, users):
    item = plan(10)
    mine = item.requests.get()
    scored = accepted()
    scored.status = RequestStatus.SCORED
    scored.save()
    on_another = plan(5).requests.get()
    with pytest.raises(NotAllowed):
        services.roadmap_item_set_requests(
            item=item, requests=[mine, accepted()], actor=users["member"]
        )
    # Sending the item's own requests back is no change, so a member may.
    services.roadmap_item_set_requests(item=item, requests=[mine], actor=users["member"])
    for requests, words in (
        ([], "at least one"),
        ([mine, scored], "only accepted"),
        ([mine, on_another], "already on a roadmap item"),
    ):
        with pytest.raises(ValidationFailed) as error:
            services.roadmap_item_set_requests(item=item, requests=requests, actor=users["lead"])
        assert error.value.field == "requests" and words in error.value.message
    services.roadmap_item_update(item=item, actor=users["member"], status="shipped")
    with pytest.raises(ValidationFailed):
        services.roadmap_item_set_requests(
            item=item, requests=[mine, accepted()], actor=users["lead"]
        )
    assert list(item.requests.all()) == [mine]


@pytest.mark.django_db
def test_item_patch_edits_requests(api_clients, roadmap, plan, accepted):
    item = plan(10)
    mine, extra = item.requests.get(), accepted()
    url = f"/api/v1/roadmaps/{roadmap.pk}/items/{item.pk}/"
    response = api_clients["member"].patch(
        url, {"requests": [mine.pk, extra.pk], "version": item.version}, format="json"
    )
    assert response.status_code == 403
    response = api_clients["lead"].patch(
        url,
        {"requests": [mine.pk, extra.pk], "lane": "now", "version": item.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert sorted(body["requests"]) == sorted([mine.pk, extra.pk]) and body["lane"] == "now"
    response = api_clients["lead"].patch(
        url, {"requests": [], "version": body["version"]}, format="json"
    )
    assert response.status_code == 400 and "requests" in response.json()
    # Nothing half-saved: a refused request change leaves the lane too.
    response = api_clients["lead"].patch(
        url, {"requests": [], "lane": "later", "version": body["version"]}, format="json"
    )
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.lane == "now"


# --- the item page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_item_page_moves_quarters_and_edits_requests(
    clients, roadmap, next_quarter, plan, accepted
):
    item = plan(10, title="Quote tool")
    mine, extra = item.requests.get(), accepted(title="Extra request")
    url = f"/roadmap/{roadmap.pk}/items/{item.pk}/edit/"
    html = clients["lead"].get(url).content.decode()
    assert "Move to another quarter" in html and "2027-Q2" in html
    services.roadmap_create(actor=roadmap.team.lead, team=roadmap.team, period="2025-Q4")
    assert "2025-Q4" not in clients["lead"].get(url).content.decode()  # an ended quarter
    assert "Requests this item delivers" in html and "Extra request" in html
    # Members edit the item's fields but do not see, or post, the lead-only forms.
    assert "Move to another quarter" not in clients["member"].get(url).content.decode()
    for form in ("period", "requests"):
        response = clients["member"].post(url, {"form": form})
        assert response.status_code == 403, form

    response = clients["lead"].post(
        url,
        {"form": "requests", "requests-requests": [mine.pk, extra.pk], "requests-version": 1},
    )
    assert response.status_code == 302
    extra.refresh_from_db()
    assert extra.status == RequestStatus.PLANNED
    item.refresh_from_db()
    response = clients["lead"].post(url, {"form": "requests", "requests-version": item.version})
    assert response.status_code == 400 and "requests" in response.content.decode()

    response = clients["lead"].post(
        url,
        {"form": "period", "period-to_roadmap": next_quarter.pk, "period-version": item.version},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/roadmap/{next_quarter.pk}/"
    item.refresh_from_db()
    assert item.roadmap == next_quarter
