import datetime as dt
import threading
from unittest import mock

import pytest
from django.db import connection
from rest_framework.test import APIClient

from prodops.notifications.models import Notification
from prodops.reviews import services
from prodops.reviews.models import Cadence, ReminderDelivery
from roadmap.models import Roadmap
from roadmap.services import roadmap_complete_review

from .conftest import START

REMINDER_KINDS = (Notification.Kind.REVIEW_DUE, Notification.Kind.REVIEW_OVERDUE)


def reminders(user=None):
    qs = Notification.objects.filter(kind__in=REMINDER_KINDS)
    return qs.filter(recipient=user) if user else qs


@pytest.mark.django_db
def test_reminder_rule(cadence, review_people):
    owner, boss = review_people
    rule = services.reminder_recipients
    assert rule(cadence=cadence, today=START - dt.timedelta(days=1)) == []
    assert rule(cadence=cadence, today=START) == [(owner, "due")]
    assert rule(cadence=cadence, today=START + dt.timedelta(days=3)) == [(owner, "due")]
    assert rule(cadence=cadence, today=START + dt.timedelta(days=4)) == [
        (owner, "due"),
        (boss, "overdue"),
    ]
    cadence.active = False
    assert rule(cadence=cadence, today=START + dt.timedelta(days=9)) == []


@pytest.mark.django_db(transaction=True)
def test_repeated_sweeps_deliver_once_in_app_and_by_email(cadence, review_people, mailoutbox):
    owner, boss = review_people
    for _ in range(3):
        services.reviews_sweep(today=START + dt.timedelta(days=5))
    assert reminders(owner).count() == 1 and reminders(boss).count() == 1
    assert reminders(boss).get().kind == Notification.Kind.REVIEW_OVERDUE
    assert sorted(m.to[0] for m in mailoutbox) == [boss.email, owner.email]
    assert ReminderDelivery.objects.filter(sent_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_running_at_once_deliver_once(cadence, review_people, mailoutbox):
    owner, boss = review_people
    today = START + dt.timedelta(days=4)
    barrier = threading.Barrier(4)
    errors = []

    def sweep():
        try:
            barrier.wait()
            services.reviews_sweep(today=today)
        except Exception as error:  # surfaced below; a thread must not swallow it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ReminderDelivery.objects.count() == 2
    assert reminders(owner).count() == 1 and reminders(boss).count() == 1
    assert len(mailoutbox) == 2


@pytest.mark.django_db(transaction=True)
def test_rerun_after_crash_between_insert_and_send(cadence, review_people, mailoutbox):
    owner, _ = review_people
    # The process dies after the insert committed but before any send was queued.
    with (
        mock.patch("prodops.reviews.tasks.send_review_reminder.delay", side_effect=SystemExit),
        pytest.raises(SystemExit),
    ):
        services.reviews_sweep(today=START)
    delivery = ReminderDelivery.objects.get()
    assert delivery.sent_at is None and reminders().count() == 0
    # A worker dies inside the send, after notifying but before its commit: all rolls back.
    with (
        mock.patch.object(ReminderDelivery, "save", side_effect=RuntimeError("worker lost")),
        pytest.raises(RuntimeError),
    ):
        services.reminder_send(delivery_id=delivery.pk)
    assert reminders().count() == 0
    # The next sweeps finish the job exactly once.
    services.reviews_sweep(today=START)
    services.reviews_sweep(today=START + dt.timedelta(days=1))
    assert reminders(owner).count() == 1
    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert delivery.sent_at is not None
    assert services.reminder_send(delivery_id=delivery.pk) is False


@pytest.mark.django_db(transaction=True)
def test_time_travel_across_several_periods(cadence, review_people):
    """Eight weeks of sweeps every day (twice on some), reviews held late or on time: every due
    date reminds its owner once, and escalates once only when more than 3 days overdue."""
    owner, boss = review_people
    roadmap = Roadmap.objects.get(pk=cadence.target_id)
    complete_on = {
        START + dt.timedelta(days=2),
        START + dt.timedelta(days=23),
        START + dt.timedelta(days=37),
    }
    due_dates = [START]
    for offset in range(0, 56):
        today = START + dt.timedelta(days=offset)
        services.reviews_sweep(today=today)
        if offset % 3 == 0:
            services.reviews_sweep(today=today)  # a duplicate beat
        if today in complete_on:
            roadmap_complete_review(roadmap=roadmap, actor=boss, notes="held", today=today)
            cadence.refresh_from_db()
            due_dates.append(cadence.next_due_on)
    # due dates: 4 Jan (held 6 Jan), 20 Jan (held 27 Jan, 7 days late), 10 Feb (held on time
    # on 10 Feb), 24 Feb (never held within the window).
    assert due_dates == [START, dt.date(2027, 1, 20), dt.date(2027, 2, 10), dt.date(2027, 2, 24)]
    due = ReminderDelivery.objects.filter(kind="due").order_by("due_on")
    assert [(d.due_on, d.recipient_id) for d in due] == [(day, owner.pk) for day in due_dates]
    overdue = ReminderDelivery.objects.filter(kind="overdue").order_by("due_on")
    assert [(d.due_on, d.recipient_id) for d in overdue] == [
        (dt.date(2027, 1, 20), boss.pk),
        (dt.date(2027, 2, 24), boss.pk),
    ]
    assert reminders(owner).count() == 4
    assert reminders(boss).count() == 2
    assert not ReminderDelivery.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_delivery_made_stale_by_a_completed_review_is_not_sent(cadence, review_people):
    boss = review_people[1]
    with mock.patch("prodops.reviews.tasks.send_review_reminder.delay"):
        services.reviews_sweep(today=START)
    roadmap_complete_review(
        roadmap=Roadmap.objects.get(pk=cadence.target_id), actor=boss, today=START
    )
    services.reviews_sweep(today=START)
    assert reminders().count() == 0
    assert ReminderDelivery.objects.get().skipped


@pytest.mark.django_db
def test_cadence_update_is_for_leads_of_its_team_and_checks_input(
    api_clients, cadence, review_people
):
    url = f"/api/v1/cadences/{cadence.pk}/"
    own_lead = APIClient()
    own_lead.force_login(review_people[1])
    assert api_clients["stakeholder"].get(url).status_code == 403
    assert api_clients["member"].get(url).status_code == 200
    assert api_clients["member"].patch(url, {"interval_days": 7}, format="json").status_code == 403
    # A lead of another team reads the cadence but may not change it, whatever they send.
    assert api_clients["lead"].get(url).status_code == 200
    for body in ({"interval_days": 0}, {"interval_days": 7, "version": cadence.version}):
        assert api_clients["lead"].patch(url, body, format="json").status_code == 403
    response = own_lead.patch(url, {"interval_days": 0, "version": cadence.version}, format="json")
    assert response.status_code == 400 and "interval_days" in response.json()
    response = own_lead.patch(url, {"interval_days": 7, "version": cadence.version}, format="json")
    assert response.status_code == 200 and response.json()["interval_days"] == 7
    assert (
        own_lead.patch(
            url, {"interval_days": 9, "version": cadence.version}, format="json"
        ).status_code
        == 409
    )
    response = api_clients["admin"].patch(
        url, {"interval_days": 10, "version": cadence.version + 1}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_cadence_is_only_handed_to_someone_who_may_hold_it(api_clients, cadence, users):
    """The owner and the escalation lead must be leads of the cadence's team (or admins)."""
    url = f"/api/v1/cadences/{cadence.pk}/"
    for field, person in (
        ("owner", users["stakeholder"]),
        ("owner", users["member"]),
        ("owner", users["lead"]),  # a lead, but of no team of this roadmap
        ("escalate_to", users["stakeholder"]),
    ):
        response = api_clients["admin"].patch(
            url, {field: person.pk, "version": cadence.version}, format="json"
        )
        assert response.status_code == 400 and field in response.json(), (field, person)
    cadence.refresh_from_db()
    assert cadence.owner.username == "owner"
    response = api_clients["admin"].patch(
        url, {"owner": users["admin"].pk, "version": cadence.version}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_reviews_page(clients, cadence):
    from tests.helpers import assert_role_matrix

    assert_role_matrix(
        clients,
        "get",
        "/reviews/",
        {"anonymous": 302, "stakeholder": 403, "member": 200, "lead": 200, "admin": 200},
    )
    html = clients["member"].get("/reviews/").content.decode()
    assert cadence.title in html


@pytest.mark.django_db
def test_cadence_generic_target_kinds(review_people):
    """A cadence can review anything: here a user-facing doc stand-in (any model row)."""
    owner, boss = review_people
    other = services.cadence_ensure(
        kind=Cadence.Kind.QUARTERLY,
        target=boss,
        title="Quarterly review",
        owner=owner,
        first_due_on=START,
    )
    assert other.target == boss
    assert services.reminder_recipients(cadence=other, today=START) == [(owner, "due")]


@pytest.mark.django_db(transaction=True)
def test_lead_who_owns_and_is_escalated_to_gets_one_reminder_per_due_date(mailoutbox):
    """roadmap_create makes the team lead both the cadence owner and its escalation: an
    overdue review must not remind them twice for the same due date."""
    from roadmap.services import roadmap_create
    from tests.factories import MembershipFactory, TeamFactory, UserFactory

    lead = UserFactory(username="lena", role="lead")
    team = TeamFactory(lead=lead)
    MembershipFactory(team=team, user=lead)
    roadmap = roadmap_create(actor=lead, team=team, period="2027-Q1")
    cadence = Cadence.objects.get(target_id=roadmap.pk, kind=Cadence.Kind.ROADMAP)
    assert cadence.owner == cadence.escalate_to == lead
    cadence.next_due_on = START
    cadence.save()
    assert services.reminder_recipients(cadence=cadence, today=START + dt.timedelta(days=9)) == [
        (lead, "due")
    ]
    for offset in range(10):
        services.reviews_sweep(today=START + dt.timedelta(days=offset))
    assert ReminderDelivery.objects.filter(recipient=lead).count() == 1
    assert reminders(lead).count() == 1
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_lost_reminder_and_its_lost_email_are_each_delivered_once(
    cadence, review_people, mailoutbox
):
    """A reminder send lost in flight is queued again by the next reviews sweep (every unsent
    delivery is); the email it owes, lost in flight too, by the email sweep. Once each."""
    from prodops.notifications.models import NotificationEmail
    from prodops.notifications.services import notification_emails_sweep
    from prodops.notifications.tasks import send_notification_email
    from prodops.reviews.tasks import send_review_reminder

    owner, _ = review_people
    today = START + dt.timedelta(days=1)
    with mock.patch.object(send_review_reminder, "delay"):
        assert services.reviews_sweep(today=today) == 1
    assert reminders(owner).count() == 0

    with mock.patch.object(send_notification_email, "delay"):
        services.reviews_sweep(today=today)
    assert reminders(owner).count() == 1
    assert mailoutbox == []

    services.reviews_sweep(today=today)
    past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    NotificationEmail.objects.update(created_at=past)
    assert notification_emails_sweep() == 1
    assert notification_emails_sweep() == 0
    assert reminders(owner).count() == 1
    assert [m.to for m in mailoutbox] == [[owner.email]]


@pytest.mark.django_db(transaction=True)
def test_a_failing_reminder_is_recorded_and_given_up_after_the_cap(
    cadence, review_people, mailoutbox
):
    owner, _ = review_people
    with mock.patch.object(services, "notify", side_effect=RuntimeError("template broken")):
        for _ in range(services.REMINDER_MAX_ATTEMPTS + 2):
            services.reviews_sweep(today=START)
    delivery = ReminderDelivery.objects.get()
    assert delivery.attempts == services.REMINDER_MAX_ATTEMPTS
    assert delivery.failed_at is not None and delivery.sent_at is None
    assert "template broken" in delivery.last_error
    assert services.reviews_sweep(today=START) == 0  # given up: never queued again
    assert reminders(owner).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_reminder_that_failed_once_is_sent_by_the_next_sweep(cadence, review_people, mailoutbox):
    owner, _ = review_people
    with mock.patch.object(services, "notify", side_effect=RuntimeError("database hiccup")):
        services.reviews_sweep(today=START)
    assert ReminderDelivery.objects.get().last_error == "RuntimeError: database hiccup"
    services.reviews_sweep(today=START)
    services.reviews_sweep(today=START)
    delivery = ReminderDelivery.objects.get()
    assert delivery.sent_at is not None and delivery.attempts == 2
    assert reminders(owner).count() == 1
    assert len(mailoutbox) == 1
