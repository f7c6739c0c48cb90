"""Reopening a request from a side exit: back to new, and a merged duplicate lets go of the
request it was merged into, whichever way the reopen comes in."""

import pytest

from intake.models import Request, RequestStatus, Vote
from intake.services import request_merge, request_reopen
from prodops.activity.models import ActivityEvent
from prodops.core.errors import NotAllowed
from tests.factories import RequestFactory, UserFactory

from .conftest import set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(member):
    """(duplicate, kept): a request with a vote merged into another one."""
    duplicate, kept = RequestFactory(title="Quote tool"), RequestFactory(title="Quoting tool")
    Vote.objects.create(request=duplicate, voter=UserFactory())
    request_merge(duplicate=duplicate, into=kept, actor=member)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
    return duplicate, kept


def test_reopening_a_duplicate_clears_where_it_was_merged(member, merged):
    duplicate, kept = merged
    reopened = request_reopen(request=duplicate, actor=member, reason="Not the same after all.")
    assert (reopened.status, reopened.merged_into_id) == (RequestStatus.NEW, None)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == (RequestStatus.NEW, None)
    # What moved over stays where it went; the kept request no longer lists it as merged here.
    kept.refresh_from_db()
    assert kept.vote_count == 1
    assert not Request.objects.filter(merged_into=kept).exists()
    assert ActivityEvent.objects.filter(verb="unmerged").count() == 1


def test_reopening_another_side_exit_is_a_plain_move(member):
    declined = set_status(RequestFactory(), RequestStatus.DECLINED)
    request_reopen(request=declined, actor=member, reason="Budget came through.")
    declined.refresh_from_db()
    assert declined.status == RequestStatus.NEW
    assert not ActivityEvent.objects.filter(verb="unmerged").exists()


def test_reopen_from_the_page_drops_the_merged_banner(clients, merged):
    duplicate, _kept = merged
    page = clients["member"].get(f"/requests/{duplicate.pk}/").content.decode()
    assert 'data-testid="merged-into"' in page
    response = clients["member"].post(
        f"/requests/{duplicate.pk}/transition/",
        {"to": "new", "reason": "Different ask", "version": duplicate.version},
    )
    assert response.status_code == 302
    page = clients["member"].get(f"/requests/{duplicate.pk}/").content.decode()
    assert 'data-testid="merged-into"' not in page


def test_reopen_through_the_api_clears_merged_into(api_clients, merged):
    duplicate, _kept = merged
    response = api_clients["member"].post(
        f"/api/v1/requests/{duplicate.pk}/transition/",
        {"to": "new", "version": duplicate.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["merged_into"]) == ("new", None)


def test_bulk_reopen_clears_merged_into(clients, merged):
    duplicate, _kept = merged
    response = clients["member"].post("/requests/bulk/", {"ids": [duplicate.pk], "to": "new"})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == ("new", None)


def test_stakeholders_cannot_reopen(users, merged):
    duplicate, kept = merged
    with pytest.raises(NotAllowed):
        request_reopen(request=duplicate, actor=users["stakeholder"], reason="")
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
