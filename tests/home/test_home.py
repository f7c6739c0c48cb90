import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.lifecycle import TEAM_REQUIRED
from intake.models import Request, RequestStatus, StatusChange
from intake.scoring_services import assessment_save
from prodops.home.models import RoadmapVisit
from prodops.reviews.models import Cadence
from roadmap import services as roadmap_services
from tests.factories import RequestFactory, TeamFactory, triage_team
from tests.helpers import assert_queries_do_not_grow

ASSESS = {"feasibility": 4, "effort_days": Decimal("5"), "impact": 4, "confidence": 80}


def sections(client) -> dict:
    body = client.get("/api/v1/home/").json()
    return {s["key"]: s for s in body["sections"]}


def status(req, value):
    """Put a request in a status directly (setup only), with a team where the lifecycle
    needs one."""
    team = req.team or (triage_team() if value in TEAM_REQUIRED else None)
    Request.objects.filter(pk=req.pk).update(status=value, team=team)
    req.refresh_from_db()
    return req


@pytest.mark.django_db
def test_member_home_lists_what_needs_them(api_clients, clients, users):
    member = users["member"]
    untriaged = RequestFactory(title="Untriaged one")
    answered = RequestFactory(title="Answered one")
    StatusChange.objects.create(
        request=answered, from_status="needs_info", to_status="new", actor=answered.requester
    )
    status(RequestFactory(title="Declined one"), RequestStatus.DECLINED)
    mine = status(RequestFactory(title="Mine to do", assignee=member), RequestStatus.TRIAGED)
    scored_by_other = status(RequestFactory(title="Scored by lead"), RequestStatus.TRIAGED)
    assessment_save(request=scored_by_other, assessor=users["lead"], **ASSESS)
    also_by_me = status(RequestFactory(title="Scored by both"), RequestStatus.TRIAGED)
    assessment_save(request=also_by_me, assessor=users["lead"], **ASSESS)
    assessment_save(request=also_by_me, assessor=member, **ASSESS)
    parked = status(RequestFactory(title="Parked one"), RequestStatus.PARKED)
    Request.objects.filter(pk=parked.pk).update(revisit_on=dt.date(2020, 1, 1))

    got = sections(api_clients["member"])
    assert list(got) == [
        "untriaged",
        "needs_info_answered",
        "assigned",
        "assessments",
        "revisits",
        "reviews_due",
    ]
    assert got["untriaged"]["count"] == 2
    assert got["needs_info_answered"]["count"] == 1
    assert got["needs_info_answered"]["lines"][0]["url"] == f"/requests/{answered.pk}/"
    assert [line["title"] for line in got["assigned"]["lines"]] == [f"#{mine.pk} Mine to do"]
    # Asked of me: assigned to me and unassessed by me, or assessed by others but not me.
    titles = {line["title"] for line in got["assessments"]["lines"]}
    assert titles == {f"#{mine.pk} Mine to do", f"#{scored_by_other.pk} Scored by lead"}
    assert got["assessments"]["lines"][0]["url"].endswith("/assess/")
    assert got["revisits"]["count"] == 1
    assert got["untriaged"]["url"].startswith("/requests/?")
    assert untriaged.pk in {int(line["title"][1:].split()[0]) for line in got["untriaged"]["lines"]}

    page = clients["member"].get("/").content.decode()
    assert "Untriaged requests" in page
    assert f'href="/requests/{answered.pk}/"' in page
    # An empty section says what to do next and links there.
    assert "No review is due this week." in page


@pytest.mark.django_db
def test_member_reviews_due(api_clients, users, roadmap):
    cadence = Cadence.objects.get(target_id=roadmap.pk, kind=Cadence.Kind.ROADMAP)
    Cadence.objects.filter(pk=cadence.pk).update(
        owner=users["member"], next_due_on=timezone.localdate() - dt.timedelta(days=2)
    )
    got = sections(api_clients["member"])["reviews_due"]
    assert got["count"] == 1
    assert got["lines"][0]["detail"] == "Overdue"
    assert got["lines"][0]["tone"] == "danger"


@pytest.mark.django_db
def test_lead_home_shows_overcommit_buffer_decisions_and_backlog(
    api_clients, clients, users, roadmap, plan, log_unplanned
):
    # Capacity 100, plannable 75, buffer 25: plan 80 with an override, burn 21 of 25 (84 %).
    plan(Decimal("80"), override_reason="Launch needs it")
    log_unplanned(Decimal("21"))
    scored = status(RequestFactory(title="Waits for a decision"), RequestStatus.TRIAGED)
    assessment_save(request=scored, assessor=users["member"], **ASSESS)
    scored.refresh_from_db()
    assert scored.status == RequestStatus.SCORED

    got = sections(api_clients["lead"])
    assert list(got) == ["overcommits", "buffer_alerts", "reviews_due", "approvals", "backlog_top"]
    assert got["overcommits"]["count"] == 1
    assert "5.0 d over" in got["overcommits"]["lines"][0]["detail"]
    assert got["overcommits"]["lines"][0]["url"] == f"/roadmap/{roadmap.pk}/"
    assert got["buffer_alerts"]["count"] == 1
    assert got["buffer_alerts"]["lines"][0]["tone"] == "warn"
    assert got["approvals"]["count"] == 1
    assert got["backlog_top"]["lines"][0]["title"] == f"#{scored.pk} Waits for a decision"
    page = clients["lead"].get("/").content.decode()
    assert "Over-commits" in page and "Launch" not in page


@pytest.mark.django_db
def test_lead_home_empty_states(clients):
    page = clients["lead"].get("/").content.decode()
    assert "Every roadmap fits inside its plannable days." in page
    assert "The backlog is empty. Assess triaged requests to rank them here." in page


@pytest.mark.django_db
def test_stakeholder_home(api_clients, clients, users, roadmap, plan, objective):
    stakeholder = users["stakeholder"]
    asked = RequestFactory(requester=stakeholder, title="My question")
    StatusChange.objects.create(
        request=asked, from_status="new", to_status="needs_info", actor=users["member"]
    )
    status(asked, RequestStatus.NEEDS_INFO)
    shipped = status(
        RequestFactory(title="Shipped for Sales", department=stakeholder.department),
        RequestStatus.SHIPPED,
    )
    status(RequestFactory(title="Shipped elsewhere"), RequestStatus.SHIPPED)
    plan(Decimal("5"), visibility="shared", public_title="Faster quotes")
    plan(Decimal("5"), title="Internal only")

    got = sections(api_clients["stakeholder"])
    assert list(got) == ["my_requests", "roadmap_changes", "shipped"]
    line = got["my_requests"]["lines"][0]
    assert line["detail"] == "Now needs info" and line["tone"] == "warn"
    assert [line["title"] for line in got["roadmap_changes"]["lines"]] == ["Faster quotes"]
    assert [line["title"] for line in got["shipped"]["lines"]] == [
        f"#{shipped.pk} Shipped for Sales"
    ]

    # Opening the shared roadmap is a visit: its changes are no longer new.
    assert clients["stakeholder"].get("/roadmap/shared/").status_code == 200
    assert RoadmapVisit.objects.filter(user=stakeholder).exists()
    assert sections(api_clients["stakeholder"])["roadmap_changes"]["count"] == 0
    item = roadmap.items.get(public_title="Faster quotes")
    roadmap_services.roadmap_item_move(
        item=item, actor=users["lead"], lane="now", expected_version=item.version
    )
    assert sections(api_clients["stakeholder"])["roadmap_changes"]["count"] == 1
    page = clients["stakeholder"].get("/").content.decode()
    assert "Roadmap changes since your last visit" in page
    assert "Faster quotes" in page and "Internal only" not in page


@pytest.mark.django_db
def test_stakeholder_without_department_is_told_what_to_do(api_clients, users):
    users["stakeholder"].department = None
    users["stakeholder"].save()
    got = sections(api_clients["stakeholder"])["shipped"]
    assert got["count"] == 0 and "ask an admin" in got["empty"]


@pytest.mark.django_db
def test_home_api_needs_sign_in(api_clients):
    assert api_clients["anonymous"].get("/api/v1/home/").status_code in (401, 403)
    body = api_clients["admin"].get("/api/v1/home/").json()
    assert body["role"] == "admin" and body["sections"][0]["key"] == "overcommits"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["stakeholder", "member", "lead"])
def test_home_queries_do_not_grow(clients, users, role, roadmap, plan, objective):
    client = clients[role]

    def add(n):
        for _ in range(n):
            req = RequestFactory(requester=users["stakeholder"], assignee=users["member"])
            StatusChange.objects.create(request=req, from_status="new", to_status="needs_info")
        for value in (RequestStatus.TRIAGED, RequestStatus.SHIPPED, RequestStatus.PARKED):
            for _ in range(max(n // 10, 1)):
                status(
                    RequestFactory(
                        department=users["stakeholder"].department, assignee=users["member"]
                    ),
                    value,
                )
        plan(Decimal("1"), visibility="shared", public_title="Shared work")

    assert_queries_do_not_grow(lambda: client.get("/"), add, before=5, after=30)


@pytest.mark.django_db
def test_lead_sees_overdue_reviews_escalated_to_them(api_clients, users, roadmap):
    cadence = Cadence.objects.get(target_id=roadmap.pk, kind=Cadence.Kind.ROADMAP)
    Cadence.objects.filter(pk=cadence.pk).update(
        owner=users["member"],
        escalate_to=users["lead"],
        next_due_on=timezone.localdate() + dt.timedelta(days=2),
    )
    assert sections(api_clients["lead"])["reviews_due"]["count"] == 0  # not overdue yet
    Cadence.objects.filter(pk=cadence.pk).update(
        next_due_on=timezone.localdate() - dt.timedelta(days=4)
    )
    assert sections(api_clients["lead"])["reviews_due"]["count"] == 1


@pytest.mark.django_db
def test_home_endpoint_is_in_the_schema(api_clients):
    schema = api_clients["member"].get("/api/schema/", {"format": "json"}).json()
    get = schema["paths"]["/api/v1/home/"]["get"]
    ref = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/Home")
    assert "sections" in schema["components"]["schemas"]["Home"]["properties"]


@pytest.mark.django_db
def test_member_sees_requests_of_their_team_and_unrouted_ones(api_clients, users, team):
    other = TeamFactory(name="Sales Ops", slug="sales-ops")
    ours = RequestFactory(title="Ours", team=team)
    unrouted = RequestFactory(title="Unrouted")
    RequestFactory(title="Theirs", team=other)
    titles = {line["title"] for line in sections(api_clients["member"])["untriaged"]["lines"]}
    assert titles == {f"#{ours.pk} Ours", f"#{unrouted.pk} Unrouted"}
