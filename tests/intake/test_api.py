import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from intake.models import Comment, Request, RequestStatus, Vote, Watcher
from intake.selectors import request_similar
from intake.services import comment_create, request_vote
from prodops.notifications.models import Notification
from tests.factories import RequestFactory, UserFactory, triage_team
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix

from .conftest import set_status

ALL_OK = {"anonymous": (401, 403), "stakeholder": 200, "member": 200, "lead": 200, "admin": 200}


@pytest.mark.django_db
def test_role_matrix_over_every_endpoint(api_clients, own_request, private_request):
    base = "/api/v1/requests/"
    assert_role_matrix(api_clients, "get", base, ALL_OK)
    assert_role_matrix(api_clients, "get", f"{base}similar/?q=quote", ALL_OK)
    assert_role_matrix(api_clients, "get", f"{base}{own_request.pk}/", ALL_OK)
    assert_role_matrix(api_clients, "get", f"{base}{own_request.pk}/comments/", ALL_OK)
    assert_role_matrix(api_clients, "get", f"{base}{own_request.pk}/history/", ALL_OK)
    # Someone else's private request does not exist for a stakeholder.
    hidden = {**ALL_OK, "stakeholder": 404}
    assert_role_matrix(api_clients, "get", f"{base}{private_request.pk}/", hidden)
    assert_role_matrix(api_clients, "get", f"{base}{private_request.pk}/comments/", hidden)
    assert_role_matrix(
        api_clients,
        "post",
        f"{base}{private_request.pk}/vote/",
        {"anonymous": (401, 403), "stakeholder": 404, "member": 201},
        data={},
    )
    assert_role_matrix(
        api_clients,
        "post",
        base,
        {"anonymous": (401, 403), "stakeholder": 201, "member": 201, "lead": 201, "admin": 201},
        data={"title": "Matrix request"},
    )
    # Triage moves, merge and assign are for the team.
    assert_role_matrix(
        api_clients,
        "post",
        f"{base}{own_request.pk}/transition/",
        {"anonymous": (401, 403), "stakeholder": 403},
        data={"to": "triaged", "version": own_request.version},
    )
    assert_role_matrix(
        api_clients,
        "post",
        f"{base}{own_request.pk}/merge/",
        {"anonymous": (401, 403), "stakeholder": 403},
        data={"into": private_request.pk},
    )
    assert_role_matrix(
        api_clients,
        "post",
        f"{base}{own_request.pk}/assign/",
        {"anonymous": (401, 403), "stakeholder": 403, "member": 200},
        data={"assignee": None, "version": own_request.version},
    )
    assert_role_matrix(
        api_clients,
        "post",
        f"{base}{own_request.pk}/team/",
        {"anonymous": (401, 403), "stakeholder": 403},
        data={"team": None, "version": own_request.version},
    )
    assert_role_matrix(
        api_clients,
        "post",
        f"{base}{own_request.pk}/transition/",
        {"member": 200},
        data={"to": "triaged", "team": triage_team().pk, "version": own_request.version},
    )
    assert_role_matrix(
        api_clients,
        "post",
        f"{base}{own_request.pk}/comments/",
        {"anonymous": (401, 403), "stakeholder": 201, "member": 201},
        data={"body": "Hello"},
    )
    assert_role_matrix(
        api_clients,
        "post",
        f"{base}{private_request.pk}/merge/",
        {"member": 200},
        data={"into": own_request.pk},
    )


@pytest.mark.django_db
def test_create_defaults_department_and_watching(api_clients, stakeholder, department):
    response = api_clients["stakeholder"].post(
        "/api/v1/requests/",
        {"title": "  New onboarding email  ", "description": "Please", "category": "change"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    req = Request.objects.get(pk=body["id"])
    assert (req.title, req.department, req.source, req.status) == (
        "New onboarding email",
        department,
        "api",
        "new",
    )
    assert Watcher.objects.filter(request=req, user=stakeholder).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "category": "nonsense"}, "category"),
        ({"title": "ok", "desired_date": "2001-01-01"}, "desired_date"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(api_clients, payload, field):
    response = api_clients["stakeholder"].post("/api/v1/requests/", payload)
    assert response.status_code == 400
    assert field in response.json()
    assert Request.objects.count() == 0


@pytest.mark.django_db
def test_update_needs_current_version(api_clients, own_request):
    url = f"/api/v1/requests/{own_request.pk}/"
    ok = api_clients["stakeholder"].patch(
        url, {"title": "Reworded", "version": own_request.version}
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["version"] == own_request.version + 1
    stale = api_clients["stakeholder"].patch(
        url, {"title": "Again", "version": own_request.version}
    )
    assert stale.status_code == 409
    missing = api_clients["stakeholder"].patch(url, {"title": "Again"})
    assert missing.status_code == 400 and "version" in missing.json()
    own_request.refresh_from_db()
    assert own_request.title == "Reworded"


@pytest.mark.django_db
def test_requester_cannot_edit_after_triage_or_edit_others(api_clients, own_request, open_request):
    set_status(own_request, RequestStatus.TRIAGED)
    response = api_clients["stakeholder"].patch(
        f"/api/v1/requests/{own_request.pk}/", {"title": "Late", "version": own_request.version}
    )
    assert response.status_code == 403
    response = api_clients["stakeholder"].patch(
        f"/api/v1/requests/{open_request.pk}/",
        {"title": "Not mine", "version": open_request.version},
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_stakeholder_list_shows_own_and_open_only(
    api_clients, own_request, private_request, open_request
):
    ids = {r["id"] for r in api_clients["stakeholder"].get("/api/v1/requests/").json()["results"]}
    assert ids == {own_request.pk, open_request.pk}
    ids = {r["id"] for r in api_clients["member"].get("/api/v1/requests/").json()["results"]}
    assert ids == {own_request.pk, open_request.pk, private_request.pk}


@pytest.mark.django_db
def test_list_filters_match_the_queue(api_clients, member, department):
    a = RequestFactory(category="fix", department=department, assignee=member)
    b = RequestFactory(category="pricing")
    set_status(b, RequestStatus.TRIAGED)
    Request.objects.filter(pk=b.pk).update(vote_count=5)
    client = api_clients["member"]

    def ids(query):
        return {r["id"] for r in client.get(f"/api/v1/requests/?{query}").json()["results"]}

    assert ids("category=fix") == {a.pk}
    assert ids("status=triaged") == {b.pk}
    assert ids("status=triaged&status=new") == {a.pk, b.pk}
    assert ids("assignee=me") == {a.pk}
    assert ids("assignee=none") == {b.pk}
    assert ids("min_votes=3") == {b.pk}
    assert ids(f"department={department.pk}") == {a.pk}
    assert ids("age=30%2B") == set()
    order = [r["id"] for r in client.get("/api/v1/requests/?sort=-vote_count").json()["results"]]
    assert order == [b.pk, a.pk]
    assert client.get("/api/v1/requests/?status=bogus").status_code == 400


@pytest.mark.django_db
def test_transition_names_the_missing_field(api_clients, own_request):
    url = f"/api/v1/requests/{own_request.pk}/transition/"
    v = own_request.version
    response = api_clients["member"].post(url, {"to": "declined", "version": v})
    assert response.status_code == 400 and "reason" in response.json()
    response = api_clients["member"].post(url, {"to": "parked", "version": v})
    assert response.status_code == 400 and "revisit_on" in response.json()
    response = api_clients["member"].post(url, {"to": "shipped", "version": v})
    assert response.status_code == 400 and "cannot move" in response.json()["to"][0]
    tomorrow = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = api_clients["member"].post(
        url, {"to": "parked", "revisit_on": tomorrow, "version": v}
    )
    assert response.status_code == 200 and response.json()["status"] == "parked"
    response = api_clients["member"].post(url, {"to": "accepted", "version": 1})
    assert response.status_code == 409


@pytest.mark.django_db
def test_vote_and_unvote(api_clients, stakeholder, open_request, private_request, own_request):
    url = f"/api/v1/requests/{open_request.pk}/vote/"
    response = api_clients["stakeholder"].post(url, {"note": "Renewals depend on it"})
    assert response.status_code == 201
    assert response.json()["vote_count"] == 1 and response.json()["has_voted"] is True
    assert api_clients["stakeholder"].post(url, {}).json()["vote_count"] == 1  # one per person
    assert Watcher.objects.filter(request=open_request, user=stakeholder).exists()
    response = api_clients["stakeholder"].delete(url)
    assert response.status_code == 200 and response.json()["vote_count"] == 0
    # Own request that is not open to others: the requester sees it but may not vote.
    Request.objects.filter(pk=own_request.pk).update(visible_to_stakeholders=False)
    response = api_clients["stakeholder"].post(f"/api/v1/requests/{own_request.pk}/vote/", {})
    assert response.status_code == 403


@pytest.mark.django_db
def test_stakeholder_comments_only_on_own(api_clients, own_request, open_request):
    ok = api_clients["stakeholder"].post(
        f"/api/v1/requests/{own_request.pk}/comments/", {"body": "More context"}
    )
    assert ok.status_code == 201
    refused = api_clients["stakeholder"].post(
        f"/api/v1/requests/{open_request.pk}/comments/", {"body": "Me too"}
    )
    assert refused.status_code == 403
    internal = api_clients["stakeholder"].post(
        f"/api/v1/requests/{own_request.pk}/comments/", {"body": "x", "is_internal": True}
    )
    assert internal.status_code == 403
    empty = api_clients["stakeholder"].post(
        f"/api/v1/requests/{own_request.pk}/comments/", {"body": "   "}
    )
    assert empty.status_code == 400 and "body" in empty.json()


@pytest.mark.django_db
def test_internal_notes_never_reach_stakeholders_in_api(api_clients, member, own_request):
    comment_create(request=own_request, author=member, body="Public answer")
    comment_create(request=own_request, author=member, body="SECRET margin talk", is_internal=True)
    stakeholder_view = api_clients["stakeholder"].get(
        f"/api/v1/requests/{own_request.pk}/comments/"
    )
    assert [c["body"] for c in stakeholder_view.json()["results"]] == ["Public answer"]
    assert (
        "SECRET"
        not in api_clients["stakeholder"]
        .get(f"/api/v1/requests/{own_request.pk}/")
        .content.decode()
    )
    member_view = api_clients["member"].get(f"/api/v1/requests/{own_request.pk}/comments/")
    assert [c["body"] for c in member_view.json()["results"]] == [
        "Public answer",
        "SECRET margin talk",
    ]


@pytest.mark.django_db(transaction=True)
def test_merge_carries_votes_watchers_and_comments(api_clients, member, stakeholder):
    voter_a, voter_both = UserFactory(username="va"), UserFactory(username="vb")
    dup = RequestFactory(title="Export leads to CSV", requester=stakeholder)
    keep = RequestFactory(title="CSV export of leads")
    request_vote(request=dup, voter=voter_a, note="weekly report")
    request_vote(request=dup, voter=voter_both)
    request_vote(request=keep, voter=voter_both)
    comment_create(request=dup, author=stakeholder, body="Original context")

    response = api_clients["member"].post(f"/api/v1/requests/{dup.pk}/merge/", {"into": keep.pk})
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == keep.pk and response.json()["vote_count"] == 2

    dup.refresh_from_db()
    keep.refresh_from_db()
    assert (dup.status, dup.merged_into_id, dup.vote_count) == ("duplicate", keep.pk, 0)
    assert set(Vote.objects.filter(request=keep).values_list("voter__username", flat=True)) == {
        "va",
        "vb",
    }
    assert Vote.objects.get(request=keep, voter=voter_a).note == "weekly report"
    watchers = set(Watcher.objects.filter(request=keep).values_list("user__username", flat=True))
    assert {"va", "vb", stakeholder.username} <= watchers
    moved = Comment.objects.get(body="Original context")
    assert (moved.request_id, moved.moved_from_id) == (keep.pk, dup.pk)
    # The duplicate's watchers heard where it went.
    assert Notification.objects.filter(recipient=voter_a, title__contains="duplicate").exists()
    # Merging again, or into a duplicate, is refused with the reason.
    again = api_clients["member"].post(f"/api/v1/requests/{dup.pk}/merge/", {"into": keep.pk})
    assert again.status_code == 400
    other = RequestFactory()
    into_dup = api_clients["member"].post(f"/api/v1/requests/{other.pk}/merge/", {"into": dup.pk})
    assert into_dup.status_code == 400 and "into" in into_dup.json()
    self_merge = api_clients["member"].post(
        f"/api/v1/requests/{other.pk}/merge/", {"into": other.pk}
    )
    assert self_merge.status_code == 400
    assert len(mail.outbox) >= 1


@pytest.mark.django_db
def test_similar_search(api_clients, own_request, private_request):
    RequestFactory(title="Completely unrelated webinar landing page")
    results = api_clients["member"].get("/api/v1/requests/similar/?q=enterprise quote").json()
    assert [r["id"] for r in results] == [own_request.pk]
    assert results[0]["status"] == "new"
    hidden = api_clients["stakeholder"].get("/api/v1/requests/similar/?q=pricing question").json()
    assert hidden == []
    assert (
        api_clients["member"].get("/api/v1/requests/similar/?q=private pricing").json()[0]["id"]
        == private_request.pk
    )


@pytest.mark.django_db
def test_similar_search_threshold_and_ties(member):
    # Word similarity to "enterprise quote": 0.35, under pg_trgm's default 0.6 but over ours.
    loose = RequestFactory(title="Report quote battlecard pipeline", vote_count=1)
    loose_more_votes = RequestFactory(title="Report quote battlecard pipeline", vote_count=9)
    RequestFactory(title="Churn dashboard for CS")  # 0: never suggested
    dup = RequestFactory(title="Enterprise quote")
    set_status(dup, RequestStatus.DUPLICATE)
    results = request_similar(user=member, q="enterprise quote")
    assert [r.pk for r in results] == [loose_more_votes.pk, loose.pk]
    assert results[0].similarity == pytest.approx(0.353, abs=0.001)
    assert request_similar(user=member, q="enterprise quote", limit=1) == [loose_more_votes]
    assert request_similar(user=member, q="xyzzy plugh") == []


@pytest.mark.django_db
def test_list_endpoint_queries_do_not_grow(api_clients, member):
    client = api_clients["member"]

    def add(n):
        for _ in range(n):
            req = RequestFactory(assignee=member)
            Vote.objects.create(request=req, voter=member)

    assert_queries_do_not_grow(lambda: client.get("/api/v1/requests/?page_size=200"), add)


@pytest.mark.django_db
def test_scores_stay_with_the_team(api_clients, own_request, open_request):
    """A score is the team's working number: stakeholders never receive it or sort by it."""
    Request.objects.filter(pk__in=[own_request.pk, open_request.pk]).update(score="73.25")
    stakeholder = api_clients["stakeholder"]
    listed = stakeholder.get("/api/v1/requests/").json()["results"]
    assert listed and all("score" not in row for row in listed)
    for pk in (own_request.pk, open_request.pk):
        assert "score" not in stakeholder.get(f"/api/v1/requests/{pk}/").json()
    # Answers of actions carry the same shape as the detail.
    voted = stakeholder.post(f"/api/v1/requests/{open_request.pk}/vote/", {}, format="json")
    assert voted.status_code == 201 and "score" not in voted.json()
    for sort in ("-score", "score"):
        response = stakeholder.get(f"/api/v1/requests/?sort={sort}")
        assert response.status_code == 400 and "sort" in response.json()
    member = api_clients["member"]
    assert member.get(f"/api/v1/requests/{own_request.pk}/").json()["score"] == "73.25"
    assert member.get("/api/v1/requests/?sort=-score").status_code == 200
    # The schema documents the field whoever reads it, saying who receives it.
    schema = stakeholder.get("/api/schema/?format=json").json()
    assert (
        "team members"
        in schema["components"]["schemas"]["Request"]["properties"]["score"]["description"]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("similar/?q=ab%00c", "q"),
        ("similar/?q=quote&exclude=%C2%B2", "exclude"),
        ("?q=ab%00c", "q"),
        ("?assignee=%C2%B2", "assignee"),
        ("?requester=nobody", "requester"),
        ("?department=abc", "department"),
    ],
)
def test_bad_query_input_is_a_400_naming_the_field(api_clients, own_request, query, field):
    response = api_clients["member"].get(f"/api/v1/requests/{query}")
    assert response.status_code == 400 and field in response.json(), response.content


@pytest.mark.django_db
def test_odd_digits_in_the_search_are_text(api_clients, own_request):
    # "²" passes str.isdigit() but int() refuses it; this used to end in a 500.
    response = api_clients["member"].get("/api/v1/requests/?q=%C2%B2")
    assert response.status_code == 200 and response.json()["results"] == []


@pytest.mark.django_db
def test_comments_endpoint_queries_do_not_grow(api_clients, member, own_request):
    earlier = RequestFactory()

    def add(n):
        for i in range(n):
            author = UserFactory()
            Comment.objects.create(
                request=own_request,
                author=author,
                body=f"c{i}",
                is_internal=bool(i % 3 == 0),
                moved_from=earlier if i % 2 else None,
            )

    url = f"/api/v1/requests/{own_request.pk}/comments/"
    assert_queries_do_not_grow(lambda: api_clients["member"].get(url), add)
    assert api_clients["member"].get(url).json()["count"] == 100
    # The stakeholder's view leaves internal notes out with the same number of queries.
    assert_queries_do_not_grow(lambda: api_clients["stakeholder"].get(url), add, after=190)


@pytest.mark.django_db
def test_history_endpoint_queries_do_not_grow(api_clients, own_request):
    from intake.models import StatusChange

    def add(n):
        StatusChange.objects.bulk_create(
            [
                StatusChange(
                    request=own_request,
                    from_status="new",
                    to_status="needs_info",
                    reason=f"Question {i}",
                    actor=UserFactory(role="member"),
                )
                for i in range(n)
            ]
        )

    url = f"/api/v1/requests/{own_request.pk}/history/"
    assert_queries_do_not_grow(lambda: api_clients["member"].get(url), add)
    assert api_clients["stakeholder"].get(url).json()["count"] == 100


@pytest.mark.django_db
def test_list_endpoint_queries_do_not_grow_for_a_stakeholder(api_clients, stakeholder, member):
    """A stakeholder's list goes through the visibility rule; it must not cost a query a row."""

    def add(n):
        for i in range(n):
            mine = i % 2 == 0
            req = RequestFactory(
                requester=stakeholder if mine else UserFactory(),
                visible_to_stakeholders=not mine,
                assignee=member,
            )
            Vote.objects.create(request=req, voter=stakeholder if i % 3 else member)
        # Rows the stakeholder may not see, so the filter has something to leave out.
        RequestFactory.create_batch(2, visible_to_stakeholders=False)

    client = api_clients["stakeholder"]
    assert_queries_do_not_grow(lambda: client.get("/api/v1/requests/?page_size=200"), add)
    assert client.get("/api/v1/requests/?page_size=200").json()["count"] == 100


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action, body", [("transition", {"to": "triaged"}), ("assign", {"assignee": None})]
)
def test_transition_and_assign_require_the_loaded_version(api_clients, own_request, action, body):
    url = f"/api/v1/requests/{own_request.pk}/{action}/"
    for missing in (body, {**body, "version": None}):
        response = api_clients["member"].post(url, missing, format="json")
        assert response.status_code == 400 and "version" in response.json(), missing
    stale = api_clients["member"].post(
        url, {**body, "version": own_request.version - 1}, format="json"
    )
    assert stale.status_code == 409 and "version" in stale.json()
    own_request.refresh_from_db()
    assert own_request.status == "new" and own_request.version == 1
