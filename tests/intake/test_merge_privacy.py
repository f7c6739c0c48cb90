"""A merge can carry a stakeholder over to a request they may not see; they must not hear
about it afterwards, nor read its title in the merge reason."""

import datetime as dt

import pytest
from django.utils import timezone

from intake.models import RequestStatus
from intake.services import comment_create, request_merge, request_transition
from prodops.notifications.models import Notification
from tests.factories import triage_team

pytestmark = pytest.mark.django_db


def test_merged_requester_hears_nothing_of_a_private_target(
    own_request, private_request, stakeholder, member, lead
):
    private_request.title = "Secret pricing overhaul"
    private_request.save()
    request_merge(duplicate=own_request, into=private_request, actor=member)
    own_request.refresh_from_db()
    assert own_request.status == RequestStatus.DUPLICATE
    assert "Secret pricing overhaul" not in own_request.status_reason
    assert f"#{private_request.pk}" in own_request.status_reason

    before = Notification.objects.filter(recipient=stakeholder).count()
    set_to_triaged = request_transition(
        request=private_request, to="triaged", actor=member, team=triage_team()
    )
    request_transition(
        request=set_to_triaged,
        to="parked",
        actor=lead,
        reason="INTERNAL: budget cut",
        revisit_on=timezone.localdate() + dt.timedelta(days=30),
    )
    comment_create(request=private_request, author=member, body="Public-looking comment")
    mine = Notification.objects.filter(recipient=stakeholder)
    assert mine.count() == before
    assert not mine.filter(body__contains="INTERNAL").exists()
    assert not mine.filter(title__contains="Secret pricing").exists()


def test_merged_requester_still_hears_of_an_open_target(
    own_request, open_request, stakeholder, member
):
    request_merge(duplicate=own_request, into=open_request, actor=member)
    own_request.refresh_from_db()
    assert open_request.title in own_request.status_reason
    request_transition(request=open_request, to="triaged", actor=member, team=triage_team())
    assert Notification.objects.filter(
        recipient=stakeholder, title__contains="is now triaged"
    ).exists()


# --- Nothing from a request a reader could not see reaches them through a merge ----------


@pytest.fixture
def third_stakeholder(db, department):
    from tests.factories import UserFactory

    return UserFactory(username="third", role="stakeholder", department=department)


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    return client


def test_public_duplicate_banner_does_not_name_a_private_target(
    open_request, private_request, stakeholder, other_stakeholder, member
):
    private_request.title = "Secret acquisition of Acme"
    private_request.save()
    request_merge(duplicate=open_request, into=private_request, actor=member)
    # The duplicate's requester owns the private target, so they may read its name...
    own = _client(other_stakeholder).get(f"/requests/{open_request.pk}/").content.decode()
    assert "Secret acquisition of Acme" in own
    # ...but nobody else who may open the public duplicate may: not in the banner, not in
    # the status reason on the page, not in the API, not in a notification.
    for page in (
        _client(stakeholder).get(f"/requests/{open_request.pk}/").content.decode(),
        str(_api(stakeholder).get(f"/api/v1/requests/{open_request.pk}/").json()),
    ):
        assert "Secret acquisition" not in page
        assert f"#{private_request.pk}" in page
    assert (
        'data-testid="merged-into"'
        in _client(stakeholder).get(f"/requests/{open_request.pk}/").content.decode()
    )
    assert (
        not Notification.objects.filter(body__contains="Secret acquisition")
        .exclude(recipient=other_stakeholder)
        .exclude(recipient__role__in=["member", "lead", "admin"])
        .exists()
    )
    assert (
        "Secret acquisition"
        in _client(member).get(f"/requests/{open_request.pk}/").content.decode()
    )


def _merged_private_into_open(private_request, open_request, other_stakeholder, member):
    from intake.services import request_vote

    comment_create(request=private_request, author=other_stakeholder, body="Our margin is 12%")
    comment_create(request=private_request, author=member, body="Visible-looking reply")
    request_vote(request=private_request, voter=member, note="Board asked for this quietly")
    request_merge(duplicate=private_request, into=open_request, actor=member)


def test_comments_and_vote_notes_of_a_private_duplicate_stay_invisible(
    private_request, open_request, stakeholder, other_stakeholder, member
):
    comment_create(request=open_request, author=other_stakeholder, body="Written here")
    _merged_private_into_open(private_request, open_request, other_stakeholder, member)

    page = _client(stakeholder).get(f"/requests/{open_request.pk}/").content.decode()
    assert "Written here" in page
    assert "Our margin is 12%" not in page and "Visible-looking reply" not in page
    assert "Board asked for this quietly" not in page
    api = _api(stakeholder).get(f"/api/v1/requests/{open_request.pk}/comments/").json()
    assert [c["body"] for c in api["results"]] == ["Written here"]

    # Who could see the private request still reads all of it where it went.
    for reader in (other_stakeholder, member):
        page = _client(reader).get(f"/requests/{open_request.pk}/").content.decode()
        assert "Our margin is 12%" in page and "Visible-looking reply" in page
        bodies = [
            c["body"]
            for c in _api(reader)
            .get(f"/api/v1/requests/{open_request.pk}/comments/")
            .json()["results"]
        ]
        assert "Our margin is 12%" in bodies
    assert (
        "Board asked for this quietly"
        in _client(member).get(f"/requests/{open_request.pk}/").content.decode()
    )


def test_moved_comments_keep_their_origin_through_a_chain_of_merges(
    private_request, open_request, stakeholder, other_stakeholder, member
):
    from tests.factories import RequestFactory

    _merged_private_into_open(private_request, open_request, other_stakeholder, member)
    final = RequestFactory(title="Where it all ends", visible_to_stakeholders=True)
    request_merge(duplicate=open_request, into=final, actor=member)
    page = _client(stakeholder).get(f"/requests/{final.pk}/").content.decode()
    assert "Our margin is 12%" not in page and "Board asked for this quietly" not in page
    assert "Our margin is 12%" in _client(member).get(f"/requests/{final.pk}/").content.decode()


def test_later_comment_notifications_reach_only_those_who_may_see(
    private_request, open_request, stakeholder, other_stakeholder, member
):
    from intake.models import Watcher

    Watcher.objects.create(request=open_request, user=stakeholder)
    _merged_private_into_open(private_request, open_request, other_stakeholder, member)
    assert not Notification.objects.filter(recipient=stakeholder, body__contains="margin").exists()
    assert not Notification.objects.filter(
        recipient=stakeholder, title__contains=private_request.title
    ).exists()
