import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from docs_hub import readiness, services
from docs_hub.models import Doc, ReadinessCheck
from prodops.core.errors import NotAllowed, ValidationFailed
from roadmap import services as roadmap_services
from roadmap.models import RoadmapItem
from tests.helpers import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db
K = ReadinessCheck.Kind


@pytest.fixture
def item(plan):
    return plan(3, title="Partner portal")


def ship(item, actor):
    item.refresh_from_db()
    return roadmap_services.roadmap_item_update(
        item=item, actor=actor, expected_version=item.version, status=RoadmapItem.Status.SHIPPED
    )


def test_ship_gate_refuses_open_checklist_until_done_or_waived(item, users, make_doc):
    readiness.readiness_checklist_set(
        item=item,
        actor=users["member"],
        kinds=[K.DOC_CUSTOMERS, K.SALES_BRIEFED],
        owner=users["member"],
        due_on=dt.date(2027, 3, 1),
    )
    state = readiness.readiness_for(item)
    assert (state.total, state.done, state.percent) == (2, 0, 0)
    with pytest.raises(ValidationFailed) as refused:
        ship(item, users["lead"])
    assert refused.value.field == "status" and "sales briefed" in refused.value.message
    sales = ReadinessCheck.objects.get(item=item, kind=K.SALES_BRIEFED)
    readiness.readiness_check_update(check=sales, actor=users["member"], done=True)
    assert readiness.readiness_for(item).percent == 50
    # a draft customer doc does not count; a published, verified one does
    doc = make_doc("Partner portal guide", audience="customers", status="draft")
    doc.roadmap_items.add(item)
    assert readiness.readiness_for(item).percent == 50
    services.doc_publish(doc=doc, actor=users["lead"])
    assert readiness.readiness_for(item).percent == 100
    # an expired doc is open again
    type(doc).objects.filter(pk=doc.pk).update(
        last_verified_on=timezone.localdate() - dt.timedelta(days=120)
    )
    assert readiness.readiness_for(item).open == 1
    with pytest.raises(NotAllowed):
        readiness.readiness_waive(item=item, actor=users["member"], reason="Ship it")
    with pytest.raises(ValidationFailed):
        readiness.readiness_waive(item=item, actor=users["lead"], reason=" ")
    readiness.readiness_waive(item=item, actor=users["lead"], reason="Docs follow next week")
    assert ship(item, users["lead"]).status == RoadmapItem.Status.SHIPPED


def test_an_item_without_a_checklist_ships(item, users):
    assert ship(item, users["lead"]).status == RoadmapItem.Status.SHIPPED


def test_readiness_page_board_badge_and_waiver_shown(item, users, clients):
    url = reverse("docs_hub:readiness", args=[item.pk])
    response = clients["member"].post(url, {"action": "set", "kinds": [K.TRAINING]})
    assert response.status_code == 302
    board = clients["member"].get(reverse("roadmap:board", args=[item.roadmap_id]))
    assert "0 % ready" in board.content.decode()
    assert clients["member"].post(url, {"action": "waive", "reason": "x"}).status_code == 403
    clients["lead"].post(url, {"action": "waive", "reason": "Training after launch"})
    page = clients["member"].get(url).content.decode()
    assert "Training after launch" in page
    assert clients["stakeholder"].get(url).status_code == 403


def test_board_queries_do_not_grow_with_checklists(item, users, clients, plan):
    def add(n):
        for i in range(n):
            new = plan(1, title=f"Item {i}")
            readiness.readiness_checklist_set(
                item=new, actor=users["lead"], kinds=[K.TRAINING, K.DOC_TEAM]
            )

    url = reverse("roadmap:board", args=[item.roadmap_id])
    assert_queries_do_not_grow(lambda: clients["member"].get(url), add, before=2, after=12)


def test_readiness_api(item, api_clients):
    url = f"/api/v1/roadmaps/{item.roadmap_id}/items/{item.pk}/readiness/"
    assert api_clients["stakeholder"].get(url).status_code == 403
    assert api_clients["member"].get(url).json()["percent"] is None
    bad = api_clients["member"].put(url, {"kinds": ["nope"]}, format="json")
    assert bad.status_code == 400 and "kinds" in bad.json()
    state = (
        api_clients["member"]
        .put(url, {"kinds": ["training", "doc_team"], "due_on": "2027-03-01"}, format="json")
        .json()
    )
    assert (state["total"], state["percent"]) == (2, 0)
    line = next(x for x in state["lines"] if x["kind"] == "training")
    line_url = f"{url}lines/{line['id']}/"
    assert (
        api_clients["member"]
        .patch(line_url, {"done": True, "version": 99}, format="json")
        .status_code
        == 409
    )
    state = (
        api_clients["member"]
        .patch(line_url, {"done": True, "version": line["version"]}, format="json")
        .json()
    )
    assert state["percent"] == 50
    assert (
        api_clients["member"].post(f"{url}waiver/", {"reason": "x"}, format="json").status_code
        == 403
    )
    assert (
        api_clients["lead"].post(f"{url}waiver/", {"reason": ""}, format="json").status_code == 400
    )
    waived = api_clients["lead"].post(f"{url}waiver/", {"reason": "Ship"}, format="json").json()
    assert waived["waiver"]["reason"] == "Ship"


def test_items_planned_from_requests_with_docs_get_a_default_checklist(
    plan, team, objective, users, clients
):
    """Doc-first starts a draft for an accepted request; planning it links that draft to the
    item and gates the release on it. An item whose requests have no doc has no checklist, may
    ship, and says so on its card and page."""
    from intake.models import RequestStatus
    from intake.services import request_transition
    from tests.factories import RequestFactory

    request = RequestFactory(
        title="Bulk price update", status=RequestStatus.SCORED, team=team, objective=objective
    )
    request_transition(request=request, to=RequestStatus.ACCEPTED, actor=users["lead"])
    [draft] = Doc.objects.filter(requests=request)
    gated = plan(2, requests=[request], title="Bulk price update", owner=users["member"])
    assert list(draft.roadmap_items.all()) == [gated]
    [line] = ReadinessCheck.objects.filter(item=gated)
    assert (line.kind, line.owner, line.due_on) == (
        K.DOC_TEAM,
        users["member"],
        gated.roadmap.period_end,
    )
    with pytest.raises(ValidationFailed) as refused:
        ship(gated, users["lead"])
    assert "team doc published and verified" in refused.value.message
    services.doc_publish(doc=draft, actor=users["lead"])
    assert ship(gated, users["lead"]).status == RoadmapItem.Status.SHIPPED

    free = plan(1, title="Fix the footer")
    assert not ReadinessCheck.objects.filter(item=free).exists()
    board = clients["member"].get(reverse("roadmap:board", args=[free.roadmap_id])).content
    assert "No checklist" in board.decode()
    page = clients["member"].get(reverse("docs_hub:readiness", args=[free.pk])).content.decode()
    assert 'data-testid="no-checklist"' in page
    assert ship(free, users["lead"]).status == RoadmapItem.Status.SHIPPED
