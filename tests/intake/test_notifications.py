import pytest

from intake.services import comment_create, request_create, request_transition, request_vote
from prodops.notifications.models import Notification
from tests.factories import UserFactory, triage_team


@pytest.mark.django_db(transaction=True)
def test_status_change_reaches_requester_and_voters_by_mail_and_bell(
    stakeholder, member, mailoutbox
):
    req = request_create(requester=stakeholder, title="Partner portal FAQ")
    voter = UserFactory(username="voter")
    request_vote(request=req, voter=voter)
    bystander = UserFactory(username="bystander")
    mailoutbox.clear()

    request_transition(request=req, to="triaged", actor=member, team=triage_team())

    notified = set(Notification.objects.values_list("recipient__username", flat=True))
    assert notified == {stakeholder.username, voter.username}  # not the actor, not bystanders
    assert bystander.username not in notified
    assert sorted(m.to[0] for m in mailoutbox) == sorted([stakeholder.email, voter.email])
    assert "is now triaged" in mailoutbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_comment_reaches_watchers_but_internal_notes_only_the_team(
    stakeholder, member, lead, mailoutbox
):
    req = request_create(requester=stakeholder, title="Win/loss survey")
    request_vote(request=req, voter=lead)  # a team member watching
    mailoutbox.clear()

    comment_create(request=req, author=member, body="Can you share the deal list?")
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        stakeholder.username,
        lead.username,
    }
    Notification.objects.all().delete()
    mailoutbox.clear()

    comment_create(request=req, author=member, body="SECRET: margin is thin", is_internal=True)
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == [
        lead.username
    ]
    assert [m.to for m in mailoutbox] == [[lead.email]]


@pytest.mark.django_db
def test_stakeholder_sees_notification_in_bell_and_api(clients, api_clients, stakeholder, member):
    req = request_create(requester=stakeholder, title="Renewal reminder emails")
    request_transition(request=req, to="needs_info", actor=member, reason="Which segment?")
    page = clients["stakeholder"].get("/notifications/").content.decode()
    assert "is now needs info" in page
    assert 'data-testid="unread-count">1<' in page
    titles = [
        n["title"]
        for n in api_clients["stakeholder"].get("/api/v1/notifications/").json()["results"]
    ]
    assert titles == ["“Renewal reminder emails” is now needs info"]
