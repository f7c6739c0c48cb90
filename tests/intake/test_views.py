import datetime as dt

import pytest
from django.utils import timezone

from intake.models import Comment, Request, RequestStatus, Vote
from intake.services import comment_create, request_transition
from tests.factories import RequestFactory, UserFactory
from tests.helpers import assert_queries_do_not_grow, assert_role_matrix

from .conftest import set_status

PAGE_OK = {"anonymous": 302, "stakeholder": 200, "member": 200, "lead": 200, "admin": 200}
TEAM_ONLY_POST = {"anonymous": 302, "stakeholder": 403}
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>[link](javascript:alert(2))'


@pytest.mark.django_db
def test_role_matrix_over_every_page(clients, own_request, private_request):
    assert_role_matrix(
        clients,
        "get",
        "/requests/",
        {"anonymous": 302, "stakeholder": 302, "member": 200, "lead": 200, "admin": 200},
    )
    for url in ("/requests/new/", "/requests/mine/", "/requests/similar/?q=quote"):
        assert_role_matrix(clients, "get", url, PAGE_OK)
    assert_role_matrix(clients, "get", f"/requests/{own_request.pk}/", PAGE_OK)
    assert_role_matrix(clients, "get", f"/requests/{own_request.pk}/edit/", PAGE_OK)
    hidden = {**PAGE_OK, "stakeholder": 404}
    assert_role_matrix(clients, "get", f"/requests/{private_request.pk}/", hidden)
    assert_role_matrix(clients, "get", f"/requests/{private_request.pk}/edit/", hidden)
    assert_role_matrix(
        clients, "post", f"/requests/{private_request.pk}/vote/", {"stakeholder": 404}
    )
    for action in ("assign", "merge"):
        assert_role_matrix(
            clients,
            "post",
            f"/requests/{own_request.pk}/{action}/",
            TEAM_ONLY_POST,
            data={"version": own_request.version},
        )
    assert_role_matrix(clients, "post", "/requests/bulk/", TEAM_ONLY_POST)
    assert_role_matrix(
        clients,
        "post",
        f"/requests/{own_request.pk}/transition/",
        {"anonymous": 302, "stakeholder": 403, "member": 302},
        data={"to": "triaged", "version": own_request.version},
    )
    for action in ("vote", "watch", "comment", "answer"):
        assert_role_matrix(
            clients, "post", f"/requests/{own_request.pk}/{action}/", {"anonymous": 302}
        )
    assert_role_matrix(clients, "get", f"/requests/{own_request.pk}/vote/", {"member": 405})


@pytest.mark.django_db
def test_refused_transition_says_why_in_the_browser(clients, own_request):
    version = own_request.version
    response = clients["stakeholder"].post(
        f"/requests/{own_request.pk}/transition/", {"to": "triaged", "version": version}
    )
    assert response.status_code == 403
    assert "team member role or higher" in response.content.decode()
    response = clients["member"].post(
        f"/requests/{own_request.pk}/transition/",
        {"to": "declined", "version": version},
        follow=True,
    )
    assert "Say why the request is declined." in response.content.decode()
    own_request.refresh_from_db()
    assert own_request.status == "new"


@pytest.mark.django_db
def test_submit_form_prefills_department_and_lands_on_detail(clients, stakeholder, department):
    page = clients["stakeholder"].get("/requests/new/").content.decode()
    assert f'<option value="{department.pk}" selected>' in page
    assert 'hx-get="/requests/similar/"' in page
    response = clients["stakeholder"].post(
        "/requests/new/",
        {
            "title": "Battlecard for competitor X",
            "description": "Deals lost",
            "department": department.pk,
            "audience": "internal",
            "category": "enablement_docs",
            "visible_to_stakeholders": "on",
        },
    )
    req = Request.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/requests/{req.pk}/"
    assert req.requester == stakeholder and req.source == "web"


@pytest.mark.django_db
def test_submit_form_bad_input_names_the_field(clients):
    past = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    response = clients["stakeholder"].post(
        "/requests/new/",
        {"title": "Something", "audience": "internal", "category": "fix", "desired_date": past},
    )
    assert response.status_code == 400
    assert "Desired date: The desired date cannot be in the past." in response.content.decode()
    response = clients["stakeholder"].post("/requests/new/", {"title": "", "audience": "internal"})
    assert (
        response.status_code == 400
        and "Title: This field is required." in response.content.decode()
    )
    assert Request.objects.count() == 0


@pytest.mark.django_db
def test_edit_with_stale_version_shows_conflict(clients, own_request):
    data = {
        "title": "Changed",
        "audience": "internal",
        "category": "change",
        "version": own_request.version,
    }
    assert clients["stakeholder"].post(f"/requests/{own_request.pk}/edit/", data).status_code == 302
    response = clients["member"].post(
        f"/requests/{own_request.pk}/edit/", {**data, "title": "Mine"}
    )
    assert response.status_code == 409
    assert "Someone else changed this" in response.content.decode()
    own_request.refresh_from_db()
    assert own_request.title == "Changed"


@pytest.mark.django_db
def test_internal_notes_never_shown_to_stakeholders_in_html(clients, member, own_request):
    comment_create(request=own_request, author=member, body="Visible reply")
    comment_create(
        request=own_request, author=member, body="SECRET discount idea", is_internal=True
    )
    stakeholder_page = clients["stakeholder"].get(f"/requests/{own_request.pk}/").content.decode()
    assert "Visible reply" in stakeholder_page and "SECRET" not in stakeholder_page
    assert "Internal note" not in stakeholder_page
    member_page = clients["member"].get(f"/requests/{own_request.pk}/").content.decode()
    assert "SECRET discount idea" in member_page
    response = clients["stakeholder"].post(
        f"/requests/{own_request.pk}/comment/", {"body": "sneaky", "is_internal": "on"}
    )
    assert response.status_code == 403
    assert not Comment.objects.filter(body="sneaky").exists()


@pytest.mark.django_db
def test_xss_in_title_description_and_comments_is_inert(clients, stakeholder):
    req = RequestFactory(requester=stakeholder, title=XSS, description=XSS)
    comment_create(request=req, author=stakeholder, body=XSS)
    for url in (f"/requests/{req.pk}/", "/requests/mine/", "/requests/"):
        html = clients["member"].get(url).content.decode()
        assert "<script>alert" not in html
        assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
        assert 'href="javascript:' not in html
    html = clients["member"].get("/requests/similar/?q=script alert").content.decode()
    assert "<script>alert" not in html


@pytest.mark.django_db
def test_queue_counts_filters_and_htmx_partial(clients, member, department):
    RequestFactory.create_batch(3, department=department)
    set_status(RequestFactory(), RequestStatus.TRIAGED)
    page = clients["member"].get("/requests/").content.decode()
    assert 'data-testid="count-new">3<' in page and 'data-testid="count-triaged">1<' in page
    assert "Keyboard shortcuts" in page
    filtered = clients["member"].get(
        f"/requests/?department={department.pk}", HTTP_HX_REQUEST="true"
    )
    html = filtered.content.decode()
    assert "<html" not in html and 'id="queue-results"' in html
    assert html.count("data-row") == 3
    assert 'data-testid="count-triaged">0<' in html


@pytest.mark.django_db
def test_inline_transition_returns_the_row(clients, own_request, routed):
    response = clients["member"].post(
        f"/requests/{own_request.pk}/transition/",
        {"to": "triaged", "from": "queue", "version": own_request.version},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tr id="req-{own_request.pk}"') and "Triaged" in html
    stale = clients["member"].post(
        f"/requests/{own_request.pk}/transition/",
        {"to": "scored", "from": "queue", "version": own_request.version},
        HTTP_HX_REQUEST="true",
    )
    assert stale.status_code == 409


@pytest.mark.django_db
def test_inline_assign(clients, member, own_request):
    response = clients["member"].post(
        f"/requests/{own_request.pk}/assign/",
        {"assignee": member.pk, "from": "queue", "version": own_request.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    own_request.refresh_from_db()
    assert own_request.assignee == member
    refused = clients["member"].post(
        f"/requests/{own_request.pk}/assign/",
        {"assignee": own_request.requester_id, "version": own_request.version},
    )
    assert refused.status_code == 302  # back to the page with a message
    own_request.refresh_from_db()
    assert own_request.assignee == member


@pytest.mark.django_db
def test_bulk_is_all_or_nothing(clients, member, routed):
    a, b = RequestFactory(), RequestFactory()
    shipped = set_status(RequestFactory(), RequestStatus.SHIPPED)
    response = clients["member"].post(
        "/requests/bulk/?status=new", {"ids": [a.pk, b.pk], "to": "triaged", "assignee": member.pk}
    )
    assert response.status_code == 302 and response["Location"] == "/requests/?status=new"
    assert set(Request.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", "assignee")) == {
        ("triaged", member.pk)
    }
    response = clients["member"].post(
        "/requests/bulk/",
        {"ids": [a.pk, shipped.pk], "to": "declined", "reason": "no"},
        follow=True,
    )
    assert f"#{shipped.pk}" in response.content.decode()
    a.refresh_from_db()
    assert a.status == "triaged"  # nothing half-saved
    htmx = clients["member"].post(
        "/requests/bulk/", {"ids": [b.pk], "to": "scored"}, HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 200 and 'id="queue-results"' in htmx.content.decode()


@pytest.mark.django_db
def test_answering_needs_info_returns_request_to_new(clients, member, own_request):
    request_transition(request=own_request, to="needs_info", actor=member, reason="Which region?")
    page = clients["stakeholder"].get(f"/requests/{own_request.pk}/").content.decode()
    assert "The team needs more information" in page and "Which region?" in page
    response = clients["stakeholder"].post(f"/requests/{own_request.pk}/answer/", {"body": "EMEA"})
    assert response.status_code == 302
    own_request.refresh_from_db()
    assert own_request.status == "new"
    assert Comment.objects.filter(request=own_request, body="EMEA").exists()


@pytest.mark.django_db
def test_mine_shows_history_and_vote_from_detail(clients, stakeholder, own_request, open_request):
    page = clients["stakeholder"].get("/requests/mine/").content.decode()
    assert own_request.title in page and open_request.title not in page
    page = clients["stakeholder"].get("/requests/mine/?scope=open").content.decode()
    assert open_request.title in page
    response = clients["stakeholder"].post(
        f"/requests/{open_request.pk}/vote/", {"note": "Big for us"}, HTTP_HX_REQUEST="true"
    )
    assert (
        response.status_code == 200 and 'data-testid="vote-count">1<' in response.content.decode()
    )
    assert Vote.objects.get(request=open_request).note == "Big for us"


@pytest.mark.django_db
def test_merge_from_the_browser_shows_where_it_went(clients, own_request, open_request):
    response = clients["member"].post(
        f"/requests/{own_request.pk}/merge/", {"into": open_request.pk}
    )
    assert response.status_code == 302 and response["Location"] == f"/requests/{open_request.pk}/"
    page = clients["stakeholder"].get(f"/requests/{own_request.pk}/").content.decode()
    assert 'data-testid="merged-into"' in page and f"#{open_request.pk}" in page
    response = clients["member"].post(
        f"/requests/{open_request.pk}/merge/", {"into": 999999}, follow=True
    )
    assert "There is no request #999999." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.slow
def test_queue_queries_do_not_grow_to_1000(clients, member):
    assert_queries_do_not_grow(
        lambda: clients["member"].get("/requests/?sort=-vote_count"),
        _bulk_add(member),
        before=10,
        after=1000,
    )


@pytest.mark.django_db
def test_mine_queries_do_not_grow(clients, stakeholder):
    def add(n):
        RequestFactory.create_batch(n, requester=stakeholder)

    assert_queries_do_not_grow(lambda: clients["stakeholder"].get("/requests/mine/"), add)
    assert_queries_do_not_grow(
        lambda: clients["stakeholder"].get("/requests/mine/?scope=open"),
        lambda n: RequestFactory.create_batch(n, visible_to_stakeholders=True),
    )


@pytest.mark.django_db
@pytest.mark.slow
def test_detail_queries_do_not_grow_with_rows(clients, member):
    target = RequestFactory()
    voters = []

    def add(n):
        for i in range(n):
            voter = UserFactory()
            voters.append(voter)
            Vote.objects.create(request=target, voter=voter)
            Comment.objects.create(
                request=target, author=voter, body=f"c{i}", is_internal=bool(i % 2)
            )
            RequestFactory()

    assert_queries_do_not_grow(
        lambda: clients["member"].get(f"/requests/{target.pk}/"), add, before=10, after=200
    )


@pytest.mark.django_db
@pytest.mark.slow
def test_list_endpoint_queries_do_not_grow_to_1000(api_clients, member):
    assert_queries_do_not_grow(
        lambda: api_clients["member"].get("/api/v1/requests/?page_size=200"),
        _bulk_add(member),
        before=10,
        after=1000,
    )


def _bulk_add(member):
    """Rows in bulk so a 1,000-request check stays quick; each has an assignee and a vote."""
    from tests.factories import DepartmentFactory

    department = DepartmentFactory()

    def add(n):
        reqs = Request.objects.bulk_create(
            [
                Request(title=f"Bulk {i}", requester=member, assignee=member, department=department)
                for i in range(n)
            ]
        )
        Vote.objects.bulk_create([Vote(request=r, voter=member) for r in reqs])

    return add


@pytest.mark.django_db
def test_pages_a_stakeholder_reaches_never_show_a_score(clients, member, own_request, open_request):
    from intake.scoring_services import assessment_save

    for req in (own_request, open_request):
        set_status(req, RequestStatus.TRIAGED)
        assessment_save(
            request=req, assessor=member, impact=4, feasibility=2, effort_days=7, confidence=80
        )
    own_request.refresh_from_db()
    score = str(own_request.score)
    assert score == "44.33"  # 100 × (12 + 4 + 3) ÷ 30 × 0.7, a number found nowhere else
    client = clients["stakeholder"]
    for url in (
        f"/requests/{own_request.pk}/",
        f"/requests/{open_request.pk}/",
        "/requests/mine/",
        "/requests/mine/?scope=open",
        "/requests/similar/?q=quote template",
        "/requests/new/",
    ):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert score not in html and score.replace(".", ",") not in html, url
    # The team does see it.
    assert score in clients["member"].get(f"/requests/{own_request.pk}/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/requests/similar/?q=ab%00c", "q"),
        ("/requests/similar/?title=ab%00c", "title"),
        ("/requests/similar/?q=quote&exclude=%C2%B2", "Leave out request"),
        ("/requests/?q=ab%00c", "q"),
        ("/requests/?assignee=%C2%B2", "Assignee"),
        ("/requests/?requester=x%00", "requester"),
        ("/requests/?department=abc", "Department"),
        ("/requests/?min_votes=many", "Votes at least"),
    ],
)
def test_bad_query_input_is_a_400_naming_the_field(clients, own_request, url, field):
    response = clients["member"].get(url)
    assert response.status_code == 400, url
    assert f"{field}:" in response.content.decode(), url
    htmx = clients["member"].get(url, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 400 and f"{field}:" in htmx.content.decode()


@pytest.mark.django_db
def test_odd_digits_in_query_and_post_input_never_500(clients, member, own_request):
    # "²" passes str.isdigit() but int() refuses it; these used to end in a 500.
    for url in ("/requests/?q=%C2%B2", "/requests/?q=%23%C2%B2", "/requests/?page=abc"):
        assert clients["member"].get(url).status_code == 200, url
    refused = clients["member"].post("/requests/bulk/", {"ids": ["²"], "to": "triaged"})
    assert refused.status_code == 302
    refused = clients["member"].post(
        "/requests/bulk/", {"ids": [own_request.pk], "assignee": "²"}, follow=True
    )
    assert "Assign: Choose a team member." in refused.content.decode()
    own_request.refresh_from_db()
    assert own_request.assignee is None and own_request.status == "new"


def _oob(html: str, element_id: str) -> str:
    """The out-of-band element with `element_id` in an htmx answer ("" when there is none)."""
    import re

    match = re.search(rf'<(\w+) id="{element_id}"[^>]*hx-swap-oob="true"[^>]*>.*?</\1>', html, re.S)
    return match.group(0) if match else ""


@pytest.mark.django_db
def test_inline_row_changes_refresh_the_counts_out_of_band(clients, member, routed):
    first, second = RequestFactory(), RequestFactory()
    queue = "/requests/?status=new&status=triaged"
    response = clients["member"].post(
        f"/requests/{first.pk}/transition/",
        {"to": "triaged", "from": "queue", "version": first.version, "next": queue},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.strip().startswith(f'<tr id="req-{first.pk}"')
    counts = _oob(html, "status-counts")
    assert 'data-testid="count-new">1<' in counts and 'data-testid="count-triaged">1<' in counts
    # The counts keep the queue's filters: the picked statuses stay marked.
    assert counts.count('aria-current="true"') == 2
    # The changed row still sends its next change back to the same queue.
    assert f'name="next" value="{queue.replace("&", "&amp;")}"' in html
    # An earlier refusal shown in the messages area is replaced.
    assert _oob(html, "messages")
    response = clients["member"].post(
        f"/requests/{second.pk}/assign/",
        {"assignee": member.pk, "from": "queue", "next": queue, "version": second.version},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="count-new">1<' in _oob(response.content.decode(), "status-counts")


@pytest.mark.django_db
def test_bulk_action_message_comes_with_the_htmx_answer(clients, routed):
    a, b = RequestFactory(), RequestFactory()
    response = clients["member"].post(
        "/requests/bulk/?status=triaged",
        {"ids": [a.pk, b.pk], "to": "triaged"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="queue-results"' in html
    assert "Updated 2 requests." in _oob(html, "messages")
    assert 'data-testid="count-triaged">2<' in html and html.count("data-row") == 2
    # The next bulk action keeps the queue's filters.
    assert 'action="/requests/bulk/?status=triaged"' in html
    # The message is shown once, not again on the next page.
    assert "Updated 2 requests." not in clients["member"].get("/requests/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_value, lands_on",
    [
        ("/requests/?status=new", "/requests/?status=new"),
        ("queue", None),  # a bare word is not a URL name to reverse
        ("https://elsewhere.example/", None),
        ("//elsewhere.example/", None),
    ],
)
def test_assign_goes_back_only_to_a_path_on_this_site(clients, next_value, lands_on):
    request = RequestFactory()
    response = clients["member"].post(
        f"/requests/{request.pk}/assign/",
        {"assignee": "", "next": next_value, "version": request.version},
    )
    assert response.status_code == 302
    assert response["Location"] == (lands_on or f"/requests/{request.pk}/")


@pytest.mark.django_db
@pytest.mark.parametrize("action, body", [("transition", {"to": "triaged"}), ("assign", {})])
def test_browser_moves_and_assignments_require_the_loaded_version(
    clients, own_request, action, body
):
    url = f"/requests/{own_request.pk}/{action}/"
    missing = clients["member"].post(url, {**body, "from": "queue"}, HTTP_HX_REQUEST="true")
    assert missing.status_code == 400 and "lost the request" in missing.content.decode()
    stale = clients["member"].post(
        url, {**body, "from": "queue", "version": own_request.version - 1}, HTTP_HX_REQUEST="true"
    )
    assert stale.status_code == 409
    own_request.refresh_from_db()
    assert own_request.version == 1
    page = clients["member"].get(f"/requests/{own_request.pk}/").content.decode()
    assert page.count(f'name="version" value="{own_request.version}"') >= 2
