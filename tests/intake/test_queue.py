"""The triage queue: compact rows, the default filter, the triage panel and merge by title."""

import re

import pytest

from intake.models import Request, RequestStatus
from prodops.accounts.models import Department
from prodops.accounts.roles import Role
from tests.factories import RequestFactory, UserFactory

from .conftest import set_status

HX = {"HTTP_HX_REQUEST": "true"}
# Issue 9: a queue page of 50 rows must stay under this much HTML.
QUEUE_PAGE_BUDGET = 40 * 1024


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="req-(\d+)"', html)


@pytest.mark.django_db
def test_queue_shows_open_requests_until_a_status_is_picked(clients):
    new = RequestFactory()
    accepted = set_status(RequestFactory(), RequestStatus.ACCEPTED)
    shipped = set_status(RequestFactory(), RequestStatus.SHIPPED)
    declined = set_status(RequestFactory(), RequestStatus.DECLINED)

    html = clients["member"].get("/requests/").content.decode()
    assert set(_rows(html)) == {str(new.pk), str(accepted.pk)}
    assert 'data-testid="count-open">2<' in html and 'data-testid="count-all">4<' in html

    every = clients["member"].get("/requests/?status=").content.decode()
    assert set(_rows(every)) == {str(r.pk) for r in (new, accepted, shipped, declined)}
    only = clients["member"].get("/requests/?status=shipped").content.decode()
    assert _rows(only) == [str(shipped.pk)]
    # The API lists every status unless asked: the default belongs to the queue page.
    assert clients["member"].get("/api/v1/requests/").json()["count"] == 4


@pytest.mark.django_db
def test_status_tabs_keep_the_other_filters(clients, department):
    RequestFactory(department=department)
    html = clients["member"].get(f"/requests/?department={department.pk}&page=1").content.decode()
    assert f'href="/requests/?department={department.pk}&amp;status=triaged"' in html
    assert f'href="/requests/?department={department.pk}"' in html  # Open: no status


@pytest.mark.django_db
def test_rows_are_one_line_without_forms(clients, member):
    request = RequestFactory(assignee=member, title="Quarterly pipeline review deck")
    html = clients["member"].get("/requests/").content.decode()
    row = re.search(rf'<tr id="req-{request.pk}".*?</tr>', html, re.S).group(0)
    assert "<form" not in row and "<select" not in row
    assert "Quarterly pipeline review deck" in row and request.department.name in row
    initials = (member.first_name[:1] + member.last_name[:1]).upper()
    assert f'title="{member.display_name}">{initials}</abbr>' in row
    assert f'href="/requests/{request.pk}/triage/"' in row


@pytest.mark.django_db
def test_fifty_rows_stay_under_the_page_budget(clients):
    people = [UserFactory(role=Role.MEMBER) for _ in range(10)]
    departments = [
        Department.objects.create(name=f"Department {n}", slug=f"d{n}") for n in range(8)
    ]
    Request.objects.bulk_create(
        [
            Request(
                title=f"Renewal forecast dashboard by region and segment, take {n}",
                requester=people[n % 10],
                department=departments[n % 8],
                assignee=people[n % 10] if n % 2 else None,
                vote_count=n,
            )
            for n in range(60)
        ]
    )
    response = clients["member"].get("/requests/")
    html = response.content.decode()
    assert len(_rows(html)) == 50
    assert len(response.content) < QUEUE_PAGE_BUDGET, f"{len(response.content)} bytes"


@pytest.mark.django_db
def test_triage_panel_with_and_without_htmx(clients, own_request):
    url = f"/requests/{own_request.pk}/triage/"
    panel = clients["member"].get(
        url, HTTP_HX_CURRENT_URL="http://testserver/requests/?q=quote", **HX
    )
    html = panel.content.decode()
    assert panel.status_code == 200 and html.strip().startswith('<aside id="triage-panel"')
    assert f'action="/requests/{own_request.pk}/transition/"' in html
    assert f'action="/requests/{own_request.pk}/assign/"' in html
    assert 'name="merge_q"' in html
    # Changes made in the panel send the person back to the queue they came from.
    assert 'name="next" value="/requests/?q=quote"' in html
    assert f'name="version" value="{own_request.version}"' in html

    page = clients["member"].get(url + "?next=/requests/%3Fstatus%3Dnew")
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert 'href="/requests/?status=new"' in page.content.decode()
    elsewhere = clients["member"].get(url + "?next=https://elsewhere.example/")
    assert elsewhere.context["queue_url"] == "/requests/"
    assert clients["stakeholder"].get(url).status_code == 403


@pytest.mark.django_db
def test_no_merge_search_once_a_request_cannot_become_a_duplicate(clients):
    shipped = set_status(RequestFactory(), RequestStatus.SHIPPED)
    html = clients["member"].get(f"/requests/{shipped.pk}/triage/", **HX).content.decode()
    assert 'name="merge_q"' not in html


@pytest.mark.django_db
def test_merge_target_is_found_by_title(clients, own_request):
    original = RequestFactory(title="Enterprise quote template with discount rules")
    merged = set_status(RequestFactory(title="Enterprise quote template v2"), "duplicate")
    RequestFactory(title="Webinar invitations")
    response = clients["member"].get(
        f"/requests/{own_request.pk}/triage/?merge_q=enterprise+quote",
        HTTP_HX_TARGET=f"merge-targets-{own_request.pk}",
        **HX,
    )
    html = response.content.decode()
    assert html.strip().startswith(f'<div id="merge-targets-{own_request.pk}"')
    offered = re.findall(r'name="into" value="(\d+)"', html)
    assert offered == [str(original.pk)]  # not itself, not a duplicate, not unrelated
    assert str(merged.pk) not in offered
    by_number = clients["member"].get(
        f"/requests/{own_request.pk}/triage/?merge_q=%23{original.pk}",
        HTTP_HX_TARGET=f"merge-targets-{own_request.pk}",
        **HX,
    )
    assert re.findall(r'name="into" value="(\d+)"', by_number.content.decode()) == [
        str(original.pk)
    ]
    nothing = clients["member"].get(
        f"/requests/{own_request.pk}/triage/?merge_q=zzzz",
        HTTP_HX_TARGET=f"merge-targets-{own_request.pk}",
        **HX,
    )
    assert "No request has a title like" in nothing.content.decode()


@pytest.mark.django_db
def test_merge_from_the_queue_answers_with_the_row_and_panel(clients, own_request, open_request):
    response = clients["member"].post(
        f"/requests/{own_request.pk}/merge/",
        {"into": open_request.pk, "from": "queue", "next": "/requests/?q=quote"},
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tr id="req-{own_request.pk}"') and "Duplicate" in html
    # The panel and counts come out of band, inside a template so the panel's forms survive
    # being parsed next to a table row.
    assert re.search(r'<template>.*<aside id="triage-panel"[^>]*hx-swap-oob="true"', html, re.S)
    assert 'name="merge_q"' not in html  # a duplicate cannot be merged again
    own_request.refresh_from_db()
    assert own_request.merged_into_id == open_request.pk


@pytest.mark.django_db
def test_queue_answers_only_the_team(clients):
    assert clients["stakeholder"].get("/requests/").status_code == 302  # to their own requests
    assert clients["anonymous"].get(f"/requests/{RequestFactory().pk}/triage/").status_code == 302
