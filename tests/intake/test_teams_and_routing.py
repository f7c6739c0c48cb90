"""Requests belong to a team: routing rules suggest it, triage sets or changes it (a logged
activity), and from triaged on a request needs one. Services, API and pages."""

import importlib
from types import SimpleNamespace

import pytest

from intake import services
from intake.models import Request, RequestStatus, RoutingRule
from intake.routing import services as routing_services
from intake.routing.rules import routing_pick, routing_suggest
from prodops.activity.models import ActivityEvent
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed
from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    ObjectiveFactory,
    RequestFactory,
    RoutingRuleFactory,
    TeamFactory,
    UserFactory,
)
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix

from .conftest import set_status

C = Request.Category
pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(users):
    """Marketing Ops led by `lead`; Product Ops led by someone else."""
    mops = TeamFactory(name="Marketing Ops", slug="marketing-ops", lead=users["lead"])
    MembershipFactory(team=mops, user=users["member"])
    pops = TeamFactory(name="Product Ops", slug="product-ops", lead=UserFactory(role="lead"))
    return SimpleNamespace(mops=mops, pops=pops)


def _team_events(request):
    return list(
        ActivityEvent.objects.filter(target_id=request.pk, verb="team_changed")
        .order_by("id")
        .values_list("summary", flat=True)
    )


# --- the routing rule ------------------------------------------------------------------------


def _rule(pk, category="", department_id=None, priority=100, team="T"):
    return SimpleNamespace(
        pk=pk, category=category, department_id=department_id, priority=priority, team=team
    )


def test_the_most_specific_matching_rule_wins():
    by_category = _rule(1, category=C.FIX, team="by category")
    by_department = _rule(2, department_id=7, team="by department", priority=50)
    by_both = _rule(3, category=C.FIX, department_id=7, team="by both", priority=999)
    rules = [by_category, by_department, by_both]
    assert routing_pick(rules, category=C.FIX, department_id=7) is by_both
    # Equally specific: the lower priority number wins.
    assert routing_pick(rules[:2], category=C.FIX, department_id=7) is by_department
    assert routing_pick(rules, category=C.FIX, department_id=8) is by_category
    assert routing_pick(rules, category=C.CHANGE, department_id=7) is by_department
    assert routing_pick(rules, category=C.CHANGE, department_id=8) is None


def test_submitting_stores_the_routed_team_on_the_timeline(teams, stakeholder, department):
    RoutingRuleFactory(team=teams.pops, category="", department=department)
    req = services.request_create(requester=stakeholder, title="Quote template", category=C.FIX)
    req.refresh_from_db()
    assert req.team == teams.pops and req.status == RequestStatus.NEW
    assert _team_events(req) == ["team set to Product Ops by a routing rule"]
    # Without a matching rule a request waits for triage without a team.
    other = services.request_create(
        requester=stakeholder, title="Other", department=DepartmentFactory()
    )
    assert other.team is None


# --- the lifecycle needs a team from triaged on ------------------------------------------------


def test_triage_without_a_team_is_refused_naming_team(member):
    req = RequestFactory()
    with pytest.raises(ValidationFailed) as refused:
        services.request_transition(request=req, to=RequestStatus.TRIAGED, actor=member)
    assert refused.value.field == "team"
    req.refresh_from_db()
    assert req.status == RequestStatus.NEW and req.first_triaged_at is None
    # Side exits need no team.
    services.request_transition(request=req, to=RequestStatus.DECLINED, actor=member, reason="No")
    req.refresh_from_db()
    assert req.status == RequestStatus.DECLINED and req.team is None


def test_triage_takes_the_routed_team_when_none_is_set(teams, member):
    req = RequestFactory(category=C.FIX)
    RoutingRuleFactory(team=teams.mops, category=C.FIX)
    services.request_transition(request=req, to=RequestStatus.TRIAGED, actor=member)
    req.refresh_from_db()
    assert (req.status, req.team) == (RequestStatus.TRIAGED, teams.mops)
    assert _team_events(req) == ["team set to Marketing Ops by a routing rule"]


def test_triage_sets_the_chosen_team_with_the_move(teams, member):
    req = RequestFactory()
    services.request_move(request=req, to=RequestStatus.TRIAGED, actor=member, team=teams.pops)
    req.refresh_from_db()
    assert (req.status, req.team) == (RequestStatus.TRIAGED, teams.pops)


def test_team_changes_are_logged_and_kept_by_the_rules(teams, users):
    member, stakeholder = users["member"], users["stakeholder"]
    req = RequestFactory()
    services.request_set_team(request=req, actor=member, team=teams.mops)
    services.request_set_team(request=req, actor=member, team=teams.pops)
    assert _team_events(req) == [
        "team set to Marketing Ops",
        "moved from Marketing Ops to Product Ops",
    ]
    with pytest.raises(NotAllowed):
        services.request_set_team(request=req, actor=stakeholder, team=teams.mops)
    with pytest.raises(EditConflict):
        services.request_set_team(
            request=req, actor=member, team=teams.mops, expected_version=req.version - 1
        )
    set_status(req, RequestStatus.SCORED)
    with pytest.raises(ValidationFailed) as refused:
        services.request_set_team(request=req, actor=member, team=None)
    assert refused.value.field == "team"
    req.refresh_from_db()
    assert req.team == teams.pops


# --- routing rules: who keeps them ---------------------------------------------------------------


def test_leads_keep_their_own_teams_rules_and_admins_all(teams, users, department):
    lead, admin = users["lead"], users["admin"]
    rule = routing_services.routing_rule_create(actor=lead, team=teams.mops, category=C.FIX)
    with pytest.raises(NotAllowed):
        routing_services.routing_rule_create(actor=lead, team=teams.pops, category=C.CHANGE)
    with pytest.raises(NotAllowed):
        routing_services.routing_rule_create(
            actor=users["member"], team=teams.mops, category=C.CHANGE
        )
    with pytest.raises(NotAllowed):  # handing the rule to another team needs both
        routing_services.routing_rule_update(
            rule=rule, actor=lead, expected_version=rule.version, team=teams.pops
        )
    other = routing_services.routing_rule_create(
        actor=admin, team=teams.pops, department=department
    )
    with pytest.raises(NotAllowed):
        routing_services.routing_rule_delete(rule=other, actor=lead)
    routing_services.routing_rule_update(
        rule=rule, actor=lead, expected_version=rule.version, priority=5
    )
    rule.refresh_from_db()
    assert (rule.priority, rule.version) == (5, 2)
    with pytest.raises(EditConflict):
        routing_services.routing_rule_update(rule=rule, actor=lead, expected_version=1, priority=6)
    routing_services.routing_rule_delete(rule=other, actor=admin)
    assert list(RoutingRule.objects.all()) == [rule]


def test_a_rule_names_something_and_only_once(teams, users):
    admin = users["admin"]
    with pytest.raises(ValidationFailed) as refused:
        routing_services.routing_rule_create(actor=admin, team=teams.mops)
    assert refused.value.field == "category"
    routing_services.routing_rule_create(actor=admin, team=teams.mops, category=C.FIX)
    with pytest.raises(ValidationFailed, match="already routes to Marketing Ops"):
        routing_services.routing_rule_create(actor=admin, team=teams.pops, category=C.FIX)
    with pytest.raises(ValidationFailed) as refused:
        routing_services.routing_rule_create(
            actor=admin, team=teams.pops, category=C.CHANGE, priority=5000
        )
    assert refused.value.field == "priority"
    assert RoutingRule.objects.count() == 1


def test_the_data_migration_gives_planned_requests_their_roadmaps_team(teams, users):
    from django.apps import apps

    from roadmap import services as roadmap_services

    roadmap = roadmap_services.roadmap_create(
        actor=users["lead"], team=teams.mops, period="2027-Q1"
    )
    planned = RequestFactory(status=RequestStatus.ACCEPTED, team=teams.mops)
    roadmap_services.roadmap_item_create(
        roadmap=roadmap,
        actor=users["lead"],
        requests=[planned],
        estimate_days=1,
        objective=ObjectiveFactory(),
    )
    routed = RequestFactory(category=C.FIX)
    alone = RequestFactory(category=C.OTHER)
    RoutingRuleFactory(team=teams.pops, category=C.FIX)
    Request.objects.update(team=None)
    migration = importlib.import_module(
        "intake.migrations.0006_request_team_from_roadmaps_and_rules"
    )
    migration.forwards(apps, None)
    teams_now = dict(Request.objects.values_list("pk", "team_id"))
    assert teams_now[planned.pk] == teams.mops.pk
    assert teams_now[routed.pk] == teams.pops.pk
    assert teams_now[alone.pk] is None


# --- API ---------------------------------------------------------------------------------------


def test_api_shows_and_filters_by_team(api_clients, teams, stakeholder):
    mine = RequestFactory(requester=stakeholder, team=teams.mops)
    theirs = RequestFactory(team=teams.pops)
    teamless = RequestFactory()

    def ids(query, role="member"):
        response = api_clients[role].get(f"/api/v1/requests/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(f"team={teams.mops.pk}") == {mine.pk}
    assert ids("team=none") == {teamless.pk}
    assert ids(f"team={teams.pops.pk}") == {theirs.pk}
    refused = api_clients["member"].get("/api/v1/requests/?team=marketing")
    assert refused.status_code == 400 and "team" in refused.json()
    # Stakeholders read the team's name of a request they may see, and nothing more of it.
    row = api_clients["stakeholder"].get(f"/api/v1/requests/{mine.pk}/").json()
    assert row["team"] == {"id": teams.mops.pk, "name": "Marketing Ops"}


def test_api_sets_the_team_and_moves_with_one(api_clients, teams):
    req = RequestFactory()
    url = f"/api/v1/requests/{req.pk}/"
    answer = api_clients["member"].post(
        f"{url}team/", {"team": teams.mops.pk, "version": req.version}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["team"]["name"] == "Marketing Ops"
    stale = api_clients["member"].post(
        f"{url}team/", {"team": teams.pops.pk, "version": req.version}, format="json"
    )
    assert stale.status_code == 409
    assert api_clients["stakeholder"].post(
        f"{url}team/", {"team": None, "version": req.version + 1}, format="json"
    ).status_code in (403, 404)
    teamless = RequestFactory()
    refused = api_clients["member"].post(
        f"/api/v1/requests/{teamless.pk}/transition/",
        {"to": "triaged", "version": teamless.version},
        format="json",
    )
    assert refused.status_code == 400 and "team" in refused.json()
    moved = api_clients["member"].post(
        f"/api/v1/requests/{teamless.pk}/transition/",
        {"to": "triaged", "team": teams.pops.pk, "version": teamless.version},
        format="json",
    )
    assert moved.status_code == 200
    assert (moved.json()["status"], moved.json()["team"]["id"]) == ("triaged", teams.pops.pk)


def test_routing_rules_api_follows_the_team_rule(api_clients, teams, users):
    base = "/api/v1/routing-rules/"
    own = {"team": teams.mops.pk, "category": C.FIX}
    assert_role_matrix(
        api_clients, "get", base, {"anonymous": (401, 403), "stakeholder": 403, "member": 200}
    )
    assert_role_matrix(
        api_clients,
        "post",
        base,
        {"anonymous": (401, 403), "stakeholder": 403, "member": 403, "lead": 201},
        data=own,
    )
    assert (
        api_clients["lead"]
        .post(base, {"team": teams.pops.pk, "category": C.CHANGE}, format="json")
        .status_code
        == 403
    )
    clash = api_clients["admin"].post(
        base, {"team": teams.pops.pk, "category": C.FIX}, format="json"
    )
    assert clash.status_code == 400 and "category" in clash.json()
    rule = RoutingRule.objects.get()
    url = f"{base}{rule.pk}/"
    assert api_clients["lead"].patch(url, {"priority": 3}, format="json").status_code == 400
    saved = api_clients["lead"].patch(url, {"priority": 3, "version": 1}, format="json")
    assert saved.status_code == 200 and saved.json()["priority"] == 3
    assert (
        api_clients["lead"].patch(url, {"priority": 4, "version": 1}, format="json").status_code
        == 409
    )
    other = RoutingRuleFactory(team=teams.pops, category=C.PRICING)
    assert api_clients["lead"].delete(f"{base}{other.pk}/").status_code == 403
    assert api_clients["lead"].delete(url).status_code == 204
    assert list(RoutingRule.objects.all()) == [other]


def test_routing_rules_list_queries_do_not_grow(api_clients, clients, teams):
    departments = []

    def add(n):
        for _ in range(n):
            departments.append(DepartmentFactory())
            RoutingRuleFactory(team=teams.mops, category="", department=departments[-1])

    assert_queries_do_not_grow(lambda: api_clients["member"].get("/api/v1/routing-rules/"), add)
    RoutingRule.objects.all().delete()
    departments.clear()
    assert_queries_do_not_grow(lambda: clients["lead"].get("/requests/routing/"), add)


# --- pages --------------------------------------------------------------------------------------


def test_queue_filters_by_team_and_preselects_the_suggestion(clients, teams):
    set_team = RequestFactory(team=teams.mops, title="Has a team")
    suggested = RequestFactory(category=C.FIX, title="Routed by category")
    RoutingRuleFactory(team=teams.pops, category=C.FIX)
    html = clients["member"].get("/requests/?team=none").content.decode()
    assert "Routed by category" in html and "Has a team" not in html
    # The row shows the suggestion as one; its triage panel pre-selects it.
    assert '<i title="Suggested by a routing rule">Product Ops?</i>' in html
    panel = clients["member"].get(f"/requests/{suggested.pk}/triage/", HTTP_HX_REQUEST="true")
    assert (
        f'<option value="{teams.pops.pk}" selected>Product Ops</option>' in panel.content.decode()
    )
    html = clients["member"].get(f"/requests/?team={teams.mops.pk}").content.decode()
    assert "Has a team" in html and "Routed by category" not in html
    assert f'<option value="{teams.mops.pk}" selected>Marketing Ops</option>' in html
    assert clients["member"].get("/requests/?team=x").status_code == 400
    assert set_team.pk and suggested.pk


def test_queue_with_teams_and_suggestions_queries_do_not_grow(clients, teams):
    RoutingRuleFactory(team=teams.pops, category=C.FIX)

    def add(n):
        for index in range(n):
            RequestFactory(category=C.FIX, team=teams.mops if index % 2 else None)

    assert_queries_do_not_grow(lambda: clients["member"].get("/requests/"), add)


def test_inline_team_change_returns_the_row_and_logs_it(clients, teams):
    req = RequestFactory(team=teams.mops)
    response = clients["member"].post(
        f"/requests/{req.pk}/team/",
        {"team": teams.pops.pk, "version": req.version, "from": "queue", "next": "/requests/"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.strip().startswith(f'<tr id="req-{req.pk}"')
    assert "Team set to Product Ops." in html
    assert _team_events(req) == ["moved from Marketing Ops to Product Ops"]
    detail = clients["member"].get(f"/requests/{req.pk}/").content.decode()
    assert "moved from Marketing Ops to Product Ops" in detail
    assert clients["stakeholder"].post(f"/requests/{req.pk}/team/", {"team": ""}).status_code == 403


def test_request_page_shows_the_team_to_stakeholders_but_not_the_suggestion(
    clients, teams, stakeholder
):
    with_team = RequestFactory(requester=stakeholder, team=teams.mops)
    html = clients["stakeholder"].get(f"/requests/{with_team.pk}/").content.decode()
    assert 'data-testid="team">Marketing Ops' in html and "Set team" not in html
    routed = RequestFactory(requester=stakeholder, category=C.FIX)
    RoutingRuleFactory(team=teams.pops, category=C.FIX)
    html = clients["stakeholder"].get(f"/requests/{routed.pk}/").content.decode()
    assert "Not set yet" in html and "Product Ops" not in html
    html = clients["member"].get(f"/requests/{routed.pk}/").content.decode()
    assert "routing suggests Product Ops" in html and "Set team" in html
    assert f'<option value="{teams.pops.pk}" selected>Product Ops (suggested)</option>' in html


def test_routing_page_adds_edits_and_deletes_inline(clients, teams):
    assert_role_matrix(
        clients,
        "get",
        "/requests/routing/",
        {"anonymous": 302, "stakeholder": 403, "member": 200, "lead": 200},
    )
    added = clients["lead"].post(
        "/requests/routing/",
        {"category": C.FIX, "department": "", "team": teams.mops.pk, "priority": 10},
        HTTP_HX_REQUEST="true",
    )
    assert added.status_code == 200 and 'id="routing-rules"' in added.content.decode()
    rule = RoutingRule.objects.get()
    assert (rule.team, rule.category, rule.priority) == (teams.mops, C.FIX, 10)
    # The lead may only route to their own team: the form does not even offer another.
    refused = clients["lead"].post(
        "/requests/routing/", {"category": C.CHANGE, "team": teams.pops.pk, "priority": 1}
    )
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    empty = clients["lead"].post(
        "/requests/routing/", {"category": "", "team": teams.mops.pk, "priority": 1}
    )
    assert (
        empty.status_code == 400 and "otherwise it would route everything" in empty.content.decode()
    )
    edit = clients["lead"].get(f"/requests/routing/{rule.pk}/edit/", HTTP_HX_REQUEST="true")
    assert edit.status_code == 200 and 'name="edit-version"' in edit.content.decode()
    saved = clients["lead"].post(
        f"/requests/routing/{rule.pk}/",
        {
            "edit-category": C.FIX,
            "edit-team": teams.mops.pk,
            "edit-priority": 20,
            "edit-version": 1,
        },
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200 and saved.content.decode().strip().startswith(
        f'<tr id="rule-{rule.pk}"'
    )
    stale = clients["lead"].post(
        f"/requests/routing/{rule.pk}/",
        {
            "edit-category": C.FIX,
            "edit-team": teams.mops.pk,
            "edit-priority": 30,
            "edit-version": 1,
        },
        HTTP_HX_REQUEST="true",
    )
    assert stale.status_code == 409
    rule.refresh_from_db()
    assert rule.priority == 20
    other = RoutingRuleFactory(team=teams.pops, category=C.PRICING)
    page = clients["lead"].get("/requests/routing/").content.decode()
    assert f"/requests/routing/{rule.pk}/edit/" in page
    assert f"/requests/routing/{other.pk}/edit/" not in page
    assert clients["lead"].post(f"/requests/routing/{other.pk}/delete/").status_code == 403
    gone = clients["lead"].post(f"/requests/routing/{rule.pk}/delete/", HTTP_HX_REQUEST="true")
    assert gone.status_code == 200 and gone.content == b""
    assert list(RoutingRule.objects.all()) == [other]
    assert routing_suggest(request=RequestFactory(category=C.PRICING)) == teams.pops
