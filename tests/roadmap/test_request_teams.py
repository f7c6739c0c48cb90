"""An item plans only requests of its roadmap's team: in the services, the API and the plan
form."""

import pytest

from intake.models import RequestStatus
from intake.services import request_set_team
from prodops.core.errors import ValidationFailed
from roadmap import services
from tests.factories import TeamFactory
from tests.helpers import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Product Ops", slug="product-ops")


def test_planning_another_teams_request_is_refused_with_the_reason(
    roadmap, users, accepted, other_team, objective
):
    theirs = accepted(effort=3, team=other_team, title="Their pricing page")
    with pytest.raises(ValidationFailed) as refused:
        services.roadmap_item_create(
            roadmap=roadmap, actor=users["lead"], requests=[theirs], objective=objective
        )
    assert refused.value.field == "requests"
    assert "belongs to Product Ops" in refused.value.message
    assert "Marketing Ops" in refused.value.message
    teamless = accepted(effort=3, team=None, title="Nobody's yet")
    with pytest.raises(ValidationFailed, match="has no team yet"):
        services.roadmap_item_create(
            roadmap=roadmap, actor=users["lead"], requests=[teamless], objective=objective
        )
    for request in (theirs, teamless):
        request.refresh_from_db()
        assert request.status == RequestStatus.ACCEPTED
    assert not roadmap.items.exists()


def test_adding_another_teams_request_to_an_item_is_refused(plan, accepted, users, other_team):
    item = plan(5)
    theirs = accepted(team=other_team)
    with pytest.raises(ValidationFailed, match="belongs to Product Ops"):
        services.roadmap_item_set_requests(
            item=item, requests=[*item.requests.all(), theirs], actor=users["lead"]
        )
    assert list(item.requests.all()) != [theirs]
    theirs.refresh_from_db()
    assert theirs.status == RequestStatus.ACCEPTED


def test_a_planned_request_keeps_its_items_team(plan, users, other_team):
    request = plan(5).requests.get()
    with pytest.raises(ValidationFailed, match="take it off the item") as refused:
        request_set_team(request=request, actor=users["member"], team=other_team)
    assert refused.value.field == "team"


def test_api_offers_and_plans_only_the_roadmaps_team(api_clients, roadmap, accepted, other_team):
    ours = accepted(effort=2, title="Ours to plan")
    theirs = accepted(effort=2, team=other_team, title="Theirs")
    offered = api_clients["member"].get(f"/api/v1/roadmaps/{roadmap.pk}/plannable-requests/")
    assert offered.status_code == 200
    assert [row["id"] for row in offered.json()["results"]] == [ours.pk]
    assert (
        api_clients["stakeholder"]
        .get(f"/api/v1/roadmaps/{roadmap.pk}/plannable-requests/")
        .status_code
        == 403
    )
    refused = api_clients["lead"].post(
        f"/api/v1/roadmaps/{roadmap.pk}/items/", {"requests": [theirs.pk]}, format="json"
    )
    assert refused.status_code == 400
    assert "belongs to Product Ops" in refused.json()["requests"][0]
    planned = api_clients["lead"].post(
        f"/api/v1/roadmaps/{roadmap.pk}/items/", {"requests": [ours.pk]}, format="json"
    )
    assert planned.status_code == 201, planned.content


def test_plannable_requests_queries_do_not_grow(api_clients, roadmap, accepted):
    assert_queries_do_not_grow(
        lambda: api_clients["member"].get(f"/api/v1/roadmaps/{roadmap.pk}/plannable-requests/"),
        lambda n: [accepted() for _ in range(n)],
        before=3,
        after=20,
    )


def test_plan_form_offers_only_the_roadmaps_team(clients, roadmap, accepted, other_team):
    ours = accepted(effort=2, title="Ours to plan")
    theirs = accepted(effort=2, team=other_team, title="Theirs to plan")
    page = clients["lead"].get(f"/roadmap/{roadmap.pk}/items/new/").content.decode()
    assert "Ours to plan" in page and "Theirs to plan" not in page
    refused = clients["lead"].post(
        f"/roadmap/{roadmap.pk}/items/new/", {"requests": [theirs.pk], "lane": "next"}
    )
    assert refused.status_code == 400
    theirs.refresh_from_db()
    assert theirs.status == RequestStatus.ACCEPTED
    assert ours.status == RequestStatus.ACCEPTED
