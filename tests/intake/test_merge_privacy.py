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
