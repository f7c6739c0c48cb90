"""A request on a roadmap item follows the item: its requester reads about the plan without
internal item titles, and its status only moves through the item."""

import json

import pytest

from intake.models import RequestStatus, Watcher
from prodops.notifications.models import Notification
from roadmap import services

INTERNAL_TEXT = (
    "Internal codename Falcon",  # an internal item's title
    "Secret internal item",  # an internal item's stakeholder title (not shared, so never shown)
    "Team working title",  # a shared item's internal title
    "Only the team knows this",  # internal notes
)


def _stakeholder_request(accepted, users, title):
    request = accepted(effort=3, title=title, requester=users["stakeholder"])
    Watcher.objects.create(request=request, user=users["stakeholder"])
    return request


def _everything_the_requester_sees(clients, api_clients, users, request) -> str:
    pk = request.pk
    texts = [
        clients["stakeholder"].get(f"/requests/{pk}/").content.decode(),
        json.dumps(api_clients["stakeholder"].get(f"/api/v1/requests/{pk}/").json()),
        json.dumps(api_clients["stakeholder"].get(f"/api/v1/requests/{pk}/history/").json()),
        clients["stakeholder"].get("/notifications/").content.decode(),
        json.dumps(api_clients["stakeholder"].get("/api/v1/notifications/").json()),
    ]
    for note in Notification.objects.filter(recipient=users["stakeholder"]):
        texts.append(f"{note.title}\n{note.body}")
    return "\n".join(texts)


@pytest.mark.django_db
def test_requester_never_reads_internal_item_titles(clients, api_clients, users, accepted, plan):
    internal_request = _stakeholder_request(accepted, users, "Quotes from the CRM")
    shared_request = _stakeholder_request(accepted, users, "Faster lead hand-off")
    internal = plan(
        None,
        requests=[internal_request],
        title="Internal codename Falcon",
        public_title="Secret internal item",
        internal_notes="Only the team knows this",
    )
    shared = plan(
        None,
        requests=[shared_request],
        title="Team working title",
        public_title="Lead hand-off in minutes",
        internal_notes="Only the team knows this",
        visibility="shared",
    )
    for item in (internal, shared):
        services.roadmap_item_update(item=item, actor=users["member"], status="in_progress")
        services.roadmap_item_update(item=item, actor=users["member"], status="shipped")

    for request in (internal_request, shared_request):
        request.refresh_from_db()
        assert request.status == RequestStatus.SHIPPED
        seen = _everything_the_requester_sees(clients, api_clients, users, request)
        for secret in INTERNAL_TEXT:
            assert secret not in seen, f"leaked: {secret!r}"

    history = api_clients["stakeholder"].get(f"/api/v1/requests/{internal_request.pk}/history/")
    reasons = [row["reason"] for row in history.json()["results"]]
    assert "Planned for 2027-Q1 by Marketing Ops." in reasons
    history = api_clients["stakeholder"].get(f"/api/v1/requests/{shared_request.pk}/history/")
    reasons = " ".join(row["reason"] for row in history.json()["results"])
    assert "“Lead hand-off in minutes”" in reasons
    assert Notification.objects.filter(
        recipient=users["stakeholder"], kind=Notification.Kind.STATUS_CHANGE
    ).exists()


@pytest.mark.django_db
def test_taking_an_item_off_tells_the_requester_without_its_title(
    clients, api_clients, plan, users, accepted
):
    request = _stakeholder_request(accepted, users, "Quotes from the CRM")
    item = plan(None, requests=[request], title="Internal codename Falcon")
    services.roadmap_item_remove(item=item, actor=users["lead"])
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    seen = _everything_the_requester_sees(clients, api_clients, users, request)
    assert "Internal codename Falcon" not in seen


# --- the request's status follows its roadmap item --------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("to", ["accepted", "in_progress"])
def test_a_planned_request_on_an_item_cannot_move_directly(api_clients, plan, to):
    item = plan(5, title="Quote tool")
    request = item.requests.get()
    response = api_clients["lead"].post(
        f"/api/v1/requests/{request.pk}/transition/",
        {"to": to, "version": request.version},
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["to"][0]
    assert "“Quote tool”" in message and "change the item instead" in message
    request.refresh_from_db()
    assert request.status == RequestStatus.PLANNED


@pytest.mark.django_db
def test_an_in_progress_request_on_an_item_cannot_ship_or_go_back_directly(
    api_clients, plan, users
):
    item = plan(5, title="Quote tool")
    services.roadmap_item_update(item=item, actor=users["member"], status="in_progress")
    request = item.requests.get()
    assert request.status == RequestStatus.IN_PROGRESS
    for to in ("shipped", "planned"):
        response = api_clients["member"].post(
            f"/api/v1/requests/{request.pk}/transition/",
            {"to": to, "version": request.version},
            format="json",
        )
        assert response.status_code == 400 and "to" in response.json(), to
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS


@pytest.mark.django_db
def test_item_services_still_move_the_requests_and_measured_stays_direct(
    api_clients, plan, users, roadmap, objective
):
    item = plan(5)
    request = item.requests.get()
    services.roadmap_item_update(item=item, actor=users["member"], status="in_progress")
    services.roadmap_item_update(item=item, actor=users["member"], status="planned")
    request.refresh_from_db()
    assert request.status == RequestStatus.PLANNED
    services.roadmap_item_update(item=item, actor=users["member"], status="shipped")
    request.refresh_from_db()
    assert request.status == RequestStatus.SHIPPED
    response = api_clients["member"].post(
        f"/api/v1/requests/{request.pk}/transition/",
        {"to": "measured", "version": request.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    # An item taken off the roadmap frees its requests to be planned again.
    other = plan(5)
    again = other.requests.get()
    services.roadmap_item_remove(item=other, actor=users["lead"])
    again.refresh_from_db()
    assert again.status == RequestStatus.ACCEPTED
    replanned = plan(2, requests=[again])
    assert replanned.requests.get().status == RequestStatus.PLANNED


@pytest.mark.django_db
def test_a_request_on_no_item_moves_as_before(api_clients, accepted):
    request = accepted()
    response = api_clients["lead"].post(
        f"/api/v1/requests/{request.pk}/transition/",
        {"to": "planned", "version": request.version},
        format="json",
    )
    assert response.status_code == 200
