"""Team scope: a lead or member acts only on their own team's roadmaps, items, unplanned log,
cadences, snapshots, reviews and share links; another team's are read-only to them; admins
act on all. Every write URL of the roadmap pages and every write operation of the roadmap and
cadence API is tried, and the lists are checked against the URL conf and the schema so a new
write cannot be left out."""

import itertools
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from prodops.activity.models import ActivityEvent
from prodops.reviews.models import Cadence
from roadmap import services
from roadmap.models import RoadmapItem, ShareLink, UnplannedEntry
from tests.factories import MembershipFactory, TeamFactory, UserFactory

# Roadmap pages that write nothing of a team's (reads, and watching, which anyone may do).
# plan_request and plan_summary are GET steps towards the plan form, which is covered.
READ_ONLY_PAGES = {
    "index",
    "shared",
    "board",
    "list",
    "timeline",
    "export",
    "snapshot_diff",
    "plan_request",
    "plan_summary",
}
NOT_A_TEAM_WRITE = {"watch"}


@dataclass
class OtherTeam:
    """Team B with its own lead and member, two quarters, and what a write needs."""

    team: object
    lead: object
    member: object
    roadmap: object
    next_quarter: object
    objective: object
    accepted: object
    periods: object

    def item(self) -> RoadmapItem:
        return services.roadmap_item_create(
            roadmap=self.roadmap,
            actor=self.lead,
            requests=[self.accepted()],
            objective=self.objective,
            estimate_days=1,
        )

    def fresh(self, model, pk):
        return model.objects.get(pk=pk)

    def cadence(self) -> Cadence:
        return Cadence.objects.get(kind=Cadence.Kind.ROADMAP, target_id=self.roadmap.pk)

    def entry(self) -> UnplannedEntry:
        return services.unplanned_log(
            roadmap=self.roadmap,
            actor=self.member,
            day="2027-01-11",
            days=1,
            what="Fix",
            requested_by="Sales",
        )

    def link(self) -> ShareLink:
        return services.share_link_create(roadmap=self.roadmap, actor=self.lead, label="CS")


@pytest.fixture
def other_team(db, objective, accepted):
    lead = UserFactory(username="lead_b", role="lead")
    member = UserFactory(username="member_b", role="member")
    team = TeamFactory(name="Product Ops", slug="product-ops", lead=lead)
    MembershipFactory(team=team, user=lead, capacity_days=50)
    MembershipFactory(team=team, user=member, capacity_days=50)
    roadmap = services.roadmap_create(actor=lead, team=team, period="2027-Q1")
    later = services.roadmap_create(actor=lead, team=team, period="2027-Q2")
    periods = (f"{year}-Q{q}" for year in itertools.count(2028) for q in range(1, 5))

    def theirs():
        return accepted(team=team)

    return OtherTeam(team, lead, member, roadmap, later, objective, theirs, periods)


def _client(user, client_class=Client):
    client = client_class()
    client.force_login(user)
    return client


# --- pages ---------------------------------------------------------------------------------


def _item_fields(item: RoadmapItem, **changes) -> dict:
    data = {
        "form": "item",
        "title": item.title,
        "public_title": item.public_title,
        "public_summary": item.public_summary,
        "internal_notes": item.internal_notes,
        "objective": item.objective_id,
        "owner": "",
        "lane": item.lane,
        "start_month": "",
        "end_month": "",
        "visibility": item.visibility,
        "override_reason": "",
        "estimate_days": item.estimate_days,
        "status": item.status,
        "version": item.version,
    }
    data.update(changes)
    return data


def _page_writes(b: OtherTeam):
    """(url name, minimum role, make) — make() returns (url, body) on fresh objects."""
    base = f"/roadmap/{b.roadmap.pk}" if b else ""

    def settings():
        version = b.fresh(type(b.roadmap), b.roadmap.pk).version
        body = {"form": "settings", "buffer_percent": "22", "notes": "n", "version": version}
        return f"{base}/settings/", body

    def cadence():
        c = b.cadence()
        body = {
            "form": "cadence",
            "interval_days": 7,
            "owner": b.lead.pk,
            "next_due_on": "2027-02-01",
            "version": c.version,
        }
        return f"{base}/settings/", body

    def item_create():
        body = {
            "requests": [b.accepted().pk],
            "title": "Planned",
            "estimate_days": "1",
            "objective": b.objective.pk,
            "lane": "next",
            "visibility": "internal",
        }
        return f"{base}/items/new/", body

    def item_edit():
        item = b.item()
        return f"{base}/items/{item.pk}/edit/", _item_fields(item, title="Edited", lane="now")

    def item_period():
        item = b.item()
        body = {
            "form": "period",
            "period-to_roadmap": b.next_quarter.pk,
            "period-version": item.version,
        }
        return f"{base}/items/{item.pk}/edit/", body

    def item_requests():
        item = b.item()
        wanted = [r.pk for r in item.requests.all()] + [b.accepted().pk]
        body = {"form": "requests", "requests-requests": wanted, "requests-version": item.version}
        return f"{base}/items/{item.pk}/edit/", body

    def item_move():
        item = b.item()
        return f"{base}/items/{item.pk}/move/", {"lane": "now", "version": item.version}

    def item_remove():
        return f"{base}/items/{b.item().pk}/remove/", {}

    def unplanned():
        body = {"day": "2027-01-12", "days": "1", "what": "Fix", "requested_by": "CS"}
        return f"{base}/unplanned/", body

    def unplanned_delete():
        return f"{base}/unplanned/{b.entry().pk}/delete/", {}

    def create():
        body = {"team": b.team.pk, "period": next(b.periods), "buffer_percent": "25"}
        return "/roadmap/new/", body

    return [
        ("create", "lead", create),
        ("settings", "lead", settings),
        ("settings", "lead", cadence),
        ("item_create", "lead", item_create),
        ("item_edit", "member", item_edit),
        ("item_edit", "lead", item_period),
        ("item_edit", "lead", item_requests),
        ("item_move", "member", item_move),
        ("item_remove", "lead", item_remove),
        ("unplanned", "member", unplanned),
        ("unplanned_delete", "member", unplanned_delete),
        ("snapshots", "lead", lambda: (f"{base}/snapshots/", {"note": "n"})),
        ("review", "lead", lambda: (f"{base}/review/", {"notes": "n"})),
        ("share_links", "lead", lambda: (f"{base}/share/", {"label": "Sales"})),
        ("share_revoke", "lead", lambda: (f"{base}/share/{b.link().pk}/revoke/", {})),
    ]


def test_every_roadmap_page_that_writes_is_covered():
    names = {p.name for p in get_resolver("roadmap.urls").url_patterns if getattr(p, "name", None)}
    covered = {name for name, _, _ in _page_writes(None)}
    assert covered == names - READ_ONLY_PAGES - NOT_A_TEAM_WRITE


@pytest.mark.django_db
def test_another_teams_lead_and_member_get_403_on_every_page_write(users, team, other_team):
    for person in ("lead", "member"):
        client = _client(users[person])
        for name, _, make in _page_writes(other_team):
            url, body = make()
            baseline = ActivityEvent.objects.count()
            response = client.post(url, body)
            assert response.status_code == 403, (person, name, url, response.status_code)
            # The lead is told the roadmap is another team's (a member, for lead pages, is
            # told the role is missing first).
            if person == "lead" or name in ("item_edit", "item_move", "unplanned"):
                assert "read-only to you" in response.content.decode(), (person, name)
            assert ActivityEvent.objects.count() == baseline, (person, name)


@pytest.mark.django_db
def test_own_team_and_admin_succeed_on_every_page_write(users, team, other_team):
    actors = {
        "admin": (_client(users["admin"]), {"lead", "member"}),
        "own lead": (_client(other_team.lead), {"lead", "member"}),
        "own member": (_client(other_team.member), {"member"}),
    }
    for who, (client, may) in actors.items():
        for name, minimum, make in _page_writes(other_team):
            url, body = make()
            response = client.post(url, body)
            expected = 302 if minimum in may else 403
            assert response.status_code == expected, (who, name, url, response.status_code)


@pytest.mark.django_db
def test_lead_pages_of_another_team_are_refused_and_not_offered(users, team, roadmap, other_team):
    client = _client(users["lead"])
    base = f"/roadmap/{other_team.roadmap.pk}"
    for page in ("settings/", "items/new/", "review/", "share/"):
        response = client.get(f"{base}/{page}")
        assert response.status_code == 403, page
        assert "Only a lead of Product Ops" in response.content.decode()
    board = client.get(f"{base}/")
    assert board.status_code == 200
    html = board.content.decode()
    assert f"{base}/settings/" not in html and f"{base}/items/new/" not in html
    assert 'draggable="true"' not in html
    own = client.get(f"/roadmap/{roadmap.pk}/").content.decode()
    assert f"/roadmap/{roadmap.pk}/settings/" in own


@pytest.mark.django_db
def test_the_new_roadmap_form_offers_only_teams_the_lead_plans(users, team, other_team):
    html = _client(users["lead"]).get("/roadmap/new/").content.decode()
    assert "Marketing Ops" in html and "Product Ops" not in html
    admin_html = _client(users["admin"]).get("/roadmap/new/").content.decode()
    assert "Marketing Ops" in admin_html and "Product Ops" in admin_html


# --- API -----------------------------------------------------------------------------------


def _api_writes(b: OtherTeam):
    """(method, path template, minimum role, make) — make() returns (url, body)."""
    base = f"/api/v1/roadmaps/{b.roadmap.pk}" if b else ""

    def roadmap_update():
        version = b.fresh(type(b.roadmap), b.roadmap.pk).version
        return f"{base}/", {"buffer_percent": "23", "version": version}

    def item_update():
        item = b.item()
        return f"{base}/items/{item.pk}/", {"lane": "now", "version": item.version}

    def move_period():
        item = b.item()
        body = {"to_roadmap": b.next_quarter.pk, "version": item.version}
        return f"{base}/items/{item.pk}/move-period/", body

    def cadence_update():
        c = b.cadence()
        return f"/api/v1/cadences/{c.pk}/", {"interval_days": 9, "version": c.version}

    def create():
        body = {"team": b.team.pk, "period": next(b.periods), "buffer_percent": "25"}
        return "/api/v1/roadmaps/", body

    def item_create():
        body = {"requests": [b.accepted().pk], "objective": b.objective.pk, "estimate_days": "1"}
        return f"{base}/items/", body

    unplanned = {"day": "2027-01-12", "days": "1", "what": "Fix", "requested_by": "CS"}

    def readiness_line():
        from docs_hub.models import ReadinessCheck

        item = b.item()
        line = ReadinessCheck.objects.create(item=item, kind=ReadinessCheck.Kind.TRAINING)
        body = {"done": True, "version": line.version}
        return f"{base}/items/{item.pk}/readiness/lines/{line.pk}/", body

    readiness = "/api/v1/roadmaps/{roadmap_pk}/items/{item_pk}/readiness/"
    return [
        ("post", "/api/v1/roadmaps/", "lead", create),
        ("put", "/api/v1/roadmaps/{id}/", "lead", roadmap_update),
        ("patch", "/api/v1/roadmaps/{id}/", "lead", roadmap_update),
        (
            "post",
            "/api/v1/roadmaps/{id}/complete-review/",
            "lead",
            lambda: (f"{base}/complete-review/", {"notes": "n"}),
        ),
        ("post", "/api/v1/roadmaps/{roadmap_pk}/items/", "lead", item_create),
        ("put", "/api/v1/roadmaps/{roadmap_pk}/items/{id}/", "member", item_update),
        ("patch", "/api/v1/roadmaps/{roadmap_pk}/items/{id}/", "member", item_update),
        (
            "delete",
            "/api/v1/roadmaps/{roadmap_pk}/items/{id}/",
            "lead",
            lambda: (f"{base}/items/{b.item().pk}/", None),
        ),
        ("post", "/api/v1/roadmaps/{roadmap_pk}/items/{id}/move-period/", "lead", move_period),
        (
            "post",
            "/api/v1/roadmaps/{roadmap_pk}/share-links/",
            "lead",
            lambda: (f"{base}/share-links/", {"label": "CS"}),
        ),
        (
            "delete",
            "/api/v1/roadmaps/{roadmap_pk}/share-links/{id}/",
            "lead",
            lambda: (f"{base}/share-links/{b.link().pk}/", None),
        ),
        (
            "post",
            "/api/v1/roadmaps/{roadmap_pk}/snapshots/",
            "lead",
            lambda: (f"{base}/snapshots/", {"note": "n"}),
        ),
        (
            "post",
            "/api/v1/roadmaps/{roadmap_pk}/unplanned/",
            "member",
            lambda: (f"{base}/unplanned/", unplanned),
        ),
        (
            "delete",
            "/api/v1/roadmaps/{roadmap_pk}/unplanned/{id}/",
            "member",
            lambda: (f"{base}/unplanned/{b.entry().pk}/", None),
        ),
        ("put", "/api/v1/cadences/{id}/", "lead", cadence_update),
        ("patch", "/api/v1/cadences/{id}/", "lead", cadence_update),
        (
            "put",
            readiness,
            "member",
            lambda: (f"{base}/items/{b.item().pk}/readiness/", {"kinds": ["training"]}),
        ),
        ("patch", readiness + "lines/{id}/", "member", readiness_line),
        (
            "post",
            readiness + "waiver/",
            "lead",
            lambda: (f"{base}/items/{b.item().pk}/readiness/waiver/", {"reason": "Launch day"}),
        ),
    ]


@pytest.mark.django_db
def test_every_roadmap_and_cadence_write_operation_is_covered():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        (method, path)
        for path, ops in schema["paths"].items()
        if path.startswith(("/api/v1/roadmaps/", "/api/v1/cadences/"))
        for method in ops
        if method in ("post", "put", "patch", "delete")
    }
    assert {(m, p) for m, p, _, _ in _api_writes(None)} == operations


def _call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


@pytest.mark.django_db
def test_another_teams_lead_and_member_get_403_on_every_api_write(users, team, other_team):
    for person in ("lead", "member"):
        client = _client(users[person], APIClient)
        for method, path, _, make in _api_writes(other_team):
            url, body = make()
            baseline = ActivityEvent.objects.count()
            response = _call(client, method, url, body)
            assert response.status_code == 403, (person, method, path, response.status_code)
            assert ActivityEvent.objects.count() == baseline, (person, method, path)
            # Even a body the view would refuse is answered 403 first.
            if body is not None and path != "/api/v1/roadmaps/":
                junk = _call(client, method, url, {"version": "x", "days": "?"})
                assert junk.status_code == 403, (person, method, path, "junk body")


@pytest.mark.django_db
def test_own_team_and_admin_succeed_on_every_api_write(users, team, other_team):
    actors = {
        "admin": (_client(users["admin"], APIClient), {"lead", "member"}),
        "own lead": (_client(other_team.lead, APIClient), {"lead", "member"}),
        "own member": (_client(other_team.member, APIClient), {"member"}),
    }
    for who, (client, may) in actors.items():
        for method, path, minimum, make in _api_writes(other_team):
            url, body = make()
            response = _call(client, method, url, body)
            if minimum in may:
                assert response.status_code in (200, 201, 204), (
                    who,
                    method,
                    path,
                    response.status_code,
                    getattr(response, "data", None),
                )
            else:
                assert response.status_code == 403, (who, method, path, response.status_code)


@pytest.mark.django_db
def test_another_teams_lead_still_reads_its_roadmap(users, team, other_team):
    client = _client(users["lead"], APIClient)
    base = f"/api/v1/roadmaps/{other_team.roadmap.pk}"
    for url in (f"{base}/", f"{base}/items/", f"{base}/unplanned/", f"{base}/snapshots/"):
        assert client.get(url).status_code == 200, url
    cadence = other_team.cadence()
    assert client.get(f"/api/v1/cadences/{cadence.pk}/").status_code == 200


@pytest.mark.django_db
def test_share_link_tokens_are_listed_only_to_those_who_may_manage_them(users, team, other_team):
    other_team.link()
    url = f"/api/v1/roadmaps/{other_team.roadmap.pk}/share-links/"
    assert _client(users["lead"], APIClient).get(url).status_code == 403
    own = _client(other_team.lead, APIClient).get(url)
    assert own.status_code == 200 and own.json()["count"] == 1
    assert _client(users["admin"], APIClient).get(url).status_code == 200


@pytest.mark.django_db
def test_the_admin_hands_a_cadence_only_to_someone_who_may_hold_it(users, team, other_team):
    from django.forms.models import model_to_dict

    from prodops.reviews.admin import CadenceAdminForm

    cadence = other_team.cadence()
    for person in (users["stakeholder"], users["member"], users["lead"]):
        form = CadenceAdminForm(
            instance=cadence, data={**model_to_dict(cadence), "owner": person.pk}
        )
        assert not form.is_valid() and "owner" in form.errors, person
    form = CadenceAdminForm(
        instance=cadence, data={**model_to_dict(cadence), "owner": other_team.lead.pk}
    )
    assert form.is_valid(), form.errors
