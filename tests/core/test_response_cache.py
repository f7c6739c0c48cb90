"""The response cache (prodops.core.response_cache): hot pages and API lists come from the
cache only while the reader's database snapshot, user, session and address are those of the
stored render; anything committed since is shown at once, and nothing crosses users.

Real commits are needed (a write changes the snapshot only when it commits), so these tests
run outside a test transaction.

The snapshot is server-wide: on a server shared with other busy databases it moves many times
a second, so a second GET would rarely find the first one's entry. Tests that expect a hit
therefore key on a count of this database's writes instead (`local_snapshot`): every write any
test connection makes moves it, as a commit moves the real snapshot; the real snapshot query
still runs (same query counts) and still decides whether the request holds its own writes.
`test_the_real_snapshot_moves_with_a_commit_elsewhere` checks the server's side of the rule."""

import re
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import messages
from django.db import connection, connections, transaction
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone
from rest_framework.test import APIClient

from intake.models import Request
from outcomes.models import Objective
from prodops.accounts.models import Department, TeamMembership, User
from prodops.accounts.roles import Role
from prodops.core import response_cache
from prodops.core.response_cache import response_cached
from prodops.urls import urlpatterns as app_urlpatterns
from roadmap import services as roadmap_services
from roadmap.models import RoadmapItem
from tests.factories import MembershipFactory, RequestFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.RESPONSE_CACHE = True


_writes = [0]
FROZEN_MINUTE = 10**9


def _count_write(execute, sql, params, many, context):
    if not response_cache._READ_RE.match(sql):
        _writes[0] += 1
    return execute(sql, params, many, context)


@pytest.fixture(autouse=True)
def local_snapshot(monkeypatch):
    """The snapshot as this database's write count (see the module docstring)."""
    real = response_cache.request_snapshot

    def read(request):
        _snapshot, own_xid = real(request)
        return f"writes {_writes[0]}", own_xid

    monkeypatch.setattr(response_cache, "request_snapshot", read)
    # The clock of the key stands still (far ahead, so entries live their full time): a test
    # never straddles the turn of a minute.
    monkeypatch.setattr(response_cache, "current_minute", lambda: FROZEN_MINUTE)
    connection.execute_wrappers.append(_count_write)
    yield
    connection.execute_wrappers.remove(_count_write)


def elsewhere(write) -> None:
    """Run `write` on another database connection (another thread), committed on return, as
    another person's request would."""
    failures = []

    def run():
        try:
            with transaction.atomic():
                write()
                _writes[0] += 1
        except Exception as error:  # handed back to the test below
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def get(client, url, **headers):
    """GET `url`; the response and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def hit(response) -> bool:
    return getattr(response, "from_response_cache", False)


def signed_in(user, api=False):
    client = APIClient() if api else Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(users):
    """A team with the member and lead, a roadmap with shared items and a share link, and a
    few requests (one of them scored, so the backlog has a row)."""
    team = TeamFactory(name="Marketing Ops", slug="marketing-ops", lead=users["lead"])
    MembershipFactory(team=team, user=users["lead"], capacity_days=50, allocation_percent=100)
    MembershipFactory(team=team, user=users["member"], capacity_days=50, allocation_percent=100)
    roadmap = roadmap_services.roadmap_create(actor=users["lead"], team=team, period="2027-Q1")
    objective = Objective.objects.create(title="Grow NRR", level="business", period="2027")
    for n in range(3):
        RoadmapItem.objects.create(
            roadmap=roadmap,
            title=f"Item {n}",
            objective=objective,
            estimate_days=Decimal(1),
            visibility="shared",
            public_title=f"Shared item {n}",
            position=n,
        )
    link = roadmap_services.share_link_create(roadmap=roadmap, actor=users["lead"])
    requests = [
        RequestFactory(title=f"Printer queue {n}", requester=users["stakeholder"], team=team)
        for n in range(3)
    ]
    return {"team": team, "roadmap": roadmap, "link": link, "requests": requests}


def pages(world):
    roadmap, request = world["roadmap"].pk, world["requests"][0].pk
    return {
        "queue": ("member", "/requests/", False),
        "backlog": ("lead", "/requests/backlog/", False),
        "board": ("member", f"/roadmap/{roadmap}/", False),
        "share page": (None, f"/r/{world['link'].token}/", False),
        "request page": ("member", f"/requests/{request}/", False),
        "home (member)": ("member", "/", False),
        "home (lead)": ("lead", "/", False),
        "home (stakeholder)": ("stakeholder", "/", False),
        "requests API": ("member", "/api/v1/requests/", True),
        "backlog API": ("lead", "/api/v1/backlog/", True),
        "roadmap items API": ("member", f"/api/v1/roadmaps/{roadmap}/items/", True),
        "similar API": ("member", "/api/v1/requests/similar/?q=printer+queue", True),
    }


PAGES = [
    "queue",
    "backlog",
    "board",
    "share page",
    "request page",
    "home (member)",
    "home (lead)",
    "home (stakeholder)",
    "requests API",
    "backlog API",
    "roadmap items API",
    "similar API",
]


def without_tokens(body: bytes) -> bytes:
    return re.sub(rb"[A-Za-z0-9]{64}", b"<token>", body)


@pytest.mark.parametrize("page", PAGES)
def test_second_get_comes_from_the_cache_with_the_same_content(page, world, users):
    who, url, api = pages(world)[page]
    client = signed_in(users[who], api) if who else Client()
    first, first_queries = get(client, url)
    second, second_queries = get(client, url)
    assert first.status_code == second.status_code == 200
    assert not hit(first) and hit(second)
    # The session (read with the snapshot) and the user; the page's own queries are gone.
    assert second_queries <= 2
    assert second_queries < first_queries
    assert without_tokens(second.content) == without_tokens(first.content)
    assert second["Content-Type"] == first["Content-Type"]


def test_setting_off_renders_every_time(world, users, settings):
    settings.RESPONSE_CACHE = False
    client = signed_in(users["member"])
    first, first_queries = get(client, "/requests/")
    second, second_queries = get(client, "/requests/")
    assert not hit(first) and not hit(second)
    assert second_queries == first_queries


def test_a_commit_by_someone_else_shows_on_the_next_get(world, users):
    member = signed_in(users["member"])
    api = signed_in(users["member"], api=True)
    target = world["requests"][0]
    get(member, "/requests/")
    assert hit(get(member, "/requests/")[0])
    get(api, "/api/v1/requests/")

    # A status and title change, and a new request, committed on another connection.
    def change():
        Request.objects.filter(pk=target.pk).update(title="Renamed by the lead", status="triaged")
        RequestFactory(title="Brand new request", requester=users["stakeholder"])

    elsewhere(change)
    page, _ = get(member, "/requests/")
    assert not hit(page)
    assert b"Renamed by the lead" in page.content and b"Brand new request" in page.content
    listed, _ = get(api, "/api/v1/requests/")
    assert not hit(listed)
    titles = {row["title"] for row in listed.json()["results"]}
    assert {"Renamed by the lead", "Brand new request"} <= titles


def test_a_capacity_change_shows_on_the_board_at_once(world, users):
    member = signed_in(users["member"])
    url = f"/roadmap/{world['roadmap'].pk}/"
    before, _ = get(member, url)
    assert hit(get(member, url)[0])
    elsewhere(lambda: TeamMembership.objects.filter(team=world["team"]).update(capacity_days=80))
    after, _ = get(member, url)
    assert not hit(after)
    assert before.context["figures"].capacity_days == 100
    assert after.context["figures"].capacity_days == 160


def test_a_role_change_of_the_viewer_is_never_hidden_by_the_cache(world, users):
    member = signed_in(users["member"])
    assert get(member, "/requests/")[0].status_code == 200
    assert hit(get(member, "/requests/")[0])
    elsewhere(lambda: User.objects.filter(pk=users["member"].pk).update(role=Role.STAKEHOLDER))
    # A stakeholder has no triage queue: sent to their own requests.
    response, _ = get(member, "/requests/")
    assert response.status_code == 302
    assert response["Location"] == "/requests/mine/"


def test_people_never_get_each_others_pages(world, users):
    """Same URL, same snapshot: every person renders (and is served) their own page."""
    other_member = UserFactory(username="other-member", role=Role.MEMBER)
    outsider_lead = UserFactory(username="outsider-lead", role=Role.LEAD)
    board = f"/roadmap/{world['roadmap'].pk}/"
    for url in ("/", "/requests/", board):
        for user in (users["member"], other_member, users["lead"], outsider_lead):
            client = signed_in(user)
            first, _ = get(client, url)
            assert not hit(first), (url, user.username)
            again, _ = get(client, url)
            assert hit(again)
            assert f"Signed in as {user.username} ".encode() in again.content
    # The team's own lead may plan on the board; a lead of another team may not.
    assert b"Plan requests" in signed_in_fresh(users["lead"], board)
    assert b"Plan requests" not in signed_in_fresh(outsider_lead, board)


def signed_in_fresh(user, url) -> bytes:
    client = signed_in(user)
    get(client, url)
    response, _ = get(client, url)
    assert hit(response)
    return response.content


def test_a_page_rendered_with_own_uncommitted_writes_is_not_stored(world, users):
    member = signed_in(users["member"])
    with transaction.atomic():
        RequestFactory(title="Not committed yet", requester=users["stakeholder"])
        inside, _ = get(member, "/requests/")
        assert b"Not committed yet" in inside.content
        transaction.set_rollback(True)
    after, _ = get(member, "/requests/")
    assert not hit(after)
    assert b"Not committed yet" not in after.content


def test_messages_are_never_served_from_the_cache(world, users):
    member = signed_in(users["member"])
    target = world["requests"][0]
    url = f"/requests/{target.pk}/"
    get(member, url)
    member.post(f"/requests/{target.pk}/watch/")
    shown, _ = get(member, url)
    assert b"You now watch this request." in shown.content
    assert not hit(shown)
    once, _ = get(member, url)
    assert b"You now watch this request." not in once.content
    again, _ = get(member, url)
    assert hit(again)
    assert b"You now watch this request." not in again.content


def test_cached_page_carries_a_csrf_token_that_posts(world, users):
    target = world["requests"][0]
    url = f"/requests/{target.pk}/"
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["member"])
    get(client, url)
    cached, _ = get(client, url)
    assert hit(cached)
    token = TOKEN_RE.search(cached.content.decode()).group(1)
    answer = client.post(f"/requests/{target.pk}/watch/", {"csrfmiddlewaretoken": token})
    assert answer.status_code == 302

    # A browser without the CSRF cookie is given a new one, and the page's token matches it.
    get(client, url)  # shows the watch's message: not stored
    get(client, url)  # rendered and stored again
    del client.cookies["csrftoken"]
    cached, _ = get(client, url)
    assert hit(cached)
    assert "csrftoken" in cached.cookies
    token = TOKEN_RE.search(cached.content.decode()).group(1)
    answer = client.post(f"/requests/{target.pk}/watch/", {"csrfmiddlewaretoken": token})
    assert answer.status_code == 302


HTMX = {"HX-Request": "true", "HX-Target": "queue-results"}


def test_htmx_partial_and_full_page_never_mix(world, users):
    member = signed_in(users["member"])
    partial, _ = get(member, "/requests/", **HTMX)
    full, _ = get(member, "/requests/")
    assert not hit(full)
    assert b"<html" in full.content and b"<html" not in partial.content
    partial_again, _ = get(member, "/requests/", **HTMX)
    full_again, _ = get(member, "/requests/")
    assert hit(partial_again) and hit(full_again)
    assert b"<html" not in partial_again.content and b"<html" in full_again.content


def test_a_new_minute_renders_again(world, users, monkeypatch):
    """Relative dates and "overdue" move with the clock, so the minute is part of the key."""
    member = signed_in(users["member"])
    get(member, "/")
    assert hit(get(member, "/")[0])
    monkeypatch.setattr(response_cache, "current_minute", lambda: FROZEN_MINUTE + 1)
    assert not hit(get(member, "/")[0])
    assert hit(get(member, "/")[0])


def test_a_share_link_is_not_served_after_it_expires(world, users):
    link = roadmap_services.share_link_create(
        roadmap=world["roadmap"],
        actor=users["lead"],
        expires_at=timezone.now() + timedelta(seconds=2),
    )
    client = Client()
    url = f"/r/{link.token}/"
    assert get(client, url)[0].status_code == 200
    assert hit(get(client, url)[0])
    time.sleep(max(0.0, (link.expires_at - timezone.now()).total_seconds()) + 0.1)
    assert client.get(url).status_code == 404


# --- Responses that must not be stored, on views made for the purpose -----------------------


@response_cached
def writes(request):
    Department.objects.create(name=f"Made {time.monotonic_ns()}", slug=f"d{time.monotonic_ns()}")
    return HttpResponse(f"departments {Department.objects.count()}")


@response_cached
def adds_a_message(request):
    messages.info(request, "Hello from the view")
    return HttpResponse("ok")


@response_cached
def sets_a_cookie(request):
    response = HttpResponse("ok")
    response.set_cookie("flavour", "plain")
    return response


@response_cached
def changes_the_session(request):
    request.session["seen"] = request.session.get("seen", 0) + 1
    return HttpResponse("ok")


@response_cached
def refuses(request):
    return HttpResponse("no", status=403)


@response_cached
def reads(request):
    return HttpResponse(f"departments {Department.objects.count()}")


urlpatterns = [
    path("t/writes/", writes),
    path("t/message/", adds_a_message),
    path("t/cookie/", sets_a_cookie),
    path("t/session/", changes_the_session),
    path("t/refuses/", refuses),
    path("t/reads/", reads),
    *app_urlpatterns,
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    "url", ["/t/writes/", "/t/message/", "/t/cookie/", "/t/session/", "/t/refuses/"]
)
def test_responses_with_side_effects_are_not_stored(url, users):
    client = signed_in(users["member"])
    client.get(url)
    assert not hit(client.get(url))


@pytest.mark.urls(__name__)
def test_a_plain_read_is_stored(users):
    client = signed_in(users["member"])
    client.get("/t/reads/")
    assert hit(client.get("/t/reads/"))


def test_the_real_snapshot_moves_with_a_commit_elsewhere(users):
    before, own = _real_snapshot()
    assert own is None
    elsewhere(lambda: Department.objects.create(name="Finance", slug="finance"))
    after, _own = _real_snapshot()
    assert after != before
    with transaction.atomic():
        Department.objects.create(name="Legal", slug="legal")
        _text, own = _real_snapshot()
        assert own is not None  # holding its own write: the cache stays out
        transaction.set_rollback(True)


def _real_snapshot():
    with connection.cursor() as cursor:
        cursor.execute(response_cache.SNAPSHOT_SQL)
        return cursor.fetchone()
