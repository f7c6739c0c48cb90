"""Notification emails: exactly once, even when a queued send is lost, repeated or crashes."""

import datetime as dt
import threading
from unittest import mock

import pytest
from django.core.mail import send_mail as real_send_mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from prodops.notifications.models import NotificationEmail
from prodops.notifications.services import (
    email_claim,
    email_deliver,
    notification_email_send,
    notification_emails_sweep,
    notify,
)
from prodops.notifications.tasks import send_notification_email
from prodops.schedule import BEAT_SCHEDULE

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerKilled(BaseException):
    """Stands in for the process dying inside the send: no handler of ours catches it."""


def lost_notification(user, title="Lost"):
    """A notification whose queued send never reached a worker."""
    with mock.patch.object(send_notification_email, "delay"):
        (notification,) = notify(recipients=[user], kind="general", title=title)
    return notification


def age(notification_id: int, minutes: int = 11) -> None:
    """Move an email's creation and last attempt back in time, past the retry delay."""
    past = timezone.now() - dt.timedelta(minutes=minutes)
    email = NotificationEmail.objects.filter(pk=notification_id)
    email.update(created_at=past)
    email.filter(last_attempt_at__isnull=False).update(last_attempt_at=past)


def test_sweep_is_declared_in_the_schedule():
    tasks = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert "prodops.notifications.tasks.sweep_unsent_emails" in tasks


def test_email_row_is_recorded_only_when_the_recipient_wants_email(stakeholder, member):
    member.email_notifications = False
    member.save()
    notify(recipients=[stakeholder, member], kind="general", title="Hi")
    emails = NotificationEmail.objects.select_related("notification__recipient")
    assert [e.notification.recipient for e in emails] == [stakeholder]
    assert emails.get().sent_at is not None


def test_a_lost_send_is_sent_by_the_sweep_exactly_once(stakeholder, mailoutbox):
    notification = lost_notification(stakeholder)
    assert notification_emails_sweep() == 0  # not overdue yet: the original send may be queued
    assert mailoutbox == []

    age(notification.pk)
    assert notification_emails_sweep() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [stakeholder.email]

    age(notification.pk, minutes=60)
    assert notification_emails_sweep() == 0
    send_notification_email.delay(notification.pk)  # the lost message turns up after all
    assert len(mailoutbox) == 1
    email = NotificationEmail.objects.get(pk=notification.pk)
    assert email.sent_at is not None
    assert email.attempts == 1


def test_a_sent_email_is_never_sent_again(stakeholder, mailoutbox):
    (notification,) = notify(recipients=[stakeholder], kind="general", title="Sent")
    assert len(mailoutbox) == 1
    age(notification.pk, minutes=120)
    assert notification_emails_sweep() == 0
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mailoutbox) == 1


def test_a_crash_inside_the_send_leaves_it_for_the_next_sweep(stakeholder, mailoutbox):
    notification = lost_notification(stakeholder)
    with (
        mock.patch("prodops.notifications.services.send_mail", side_effect=WorkerKilled),
        pytest.raises(WorkerKilled),
    ):
        notification_email_send(notification_id=notification.pk)
    email = NotificationEmail.objects.get(pk=notification.pk)
    assert email.sent_at is None
    assert email.attempts == 1  # the crashed attempt counts towards the cap

    assert notification_emails_sweep() == 0  # tried just now: wait for the retry delay
    age(notification.pk)
    assert notification_emails_sweep() == 1
    assert len(mailoutbox) == 1
    assert NotificationEmail.objects.get(pk=notification.pk).attempts == 2


@override_settings(EMAIL_RETRY_AFTER_MINUTES=0)  # every unsent email is overdue at once
def test_two_sweeps_at_once_send_once(stakeholder, mailoutbox):
    """Two sweeps see the same overdue email; the first holds its row while sending, the
    second runs then. One email leaves."""
    notification = lost_notification(stakeholder)
    sending = threading.Event()
    release = threading.Event()

    def slow_send_mail(**kwargs):
        sending.set()
        assert release.wait(10)
        return real_send_mail(**kwargs)

    results = {}

    def sweep(name):
        try:
            results[name] = notification_emails_sweep()
        finally:
            connection.close()

    with mock.patch("prodops.notifications.services.send_mail", side_effect=slow_send_mail):
        first = threading.Thread(target=sweep, args=("first",))
        first.start()
        assert sending.wait(10)
        # The second sweep runs while the first is inside the send, holding the row.
        second = threading.Thread(target=sweep, args=("second",))
        second.start()
        second.join(10)
        release.set()
        first.join(10)
    assert results == {"first": 1, "second": 1}  # both queued it ...
    assert len(mailoutbox) == 1  # ... one sent it
    assert NotificationEmail.objects.get(pk=notification.pk).attempts == 1


def test_only_the_latest_claim_may_send(stakeholder, mailoutbox):
    """A send overtaken between its claim and its send (another send claimed the row after
    it) does not send; the later claimer does, once."""
    notification = lost_notification(stakeholder)
    first = email_claim(notification_id=notification.pk)
    second = email_claim(notification_id=notification.pk)
    assert (first, second) == (1, 2)
    assert email_deliver(notification_id=notification.pk, attempt=first) is False
    assert mailoutbox == []
    assert email_deliver(notification_id=notification.pk, attempt=second) is True
    assert email_deliver(notification_id=notification.pk, attempt=second) is False
    assert len(mailoutbox) == 1


@override_settings(EMAIL_MAX_ATTEMPTS=2)
def test_failures_are_recorded_and_attempts_capped(stakeholder, mailoutbox):
    notification = lost_notification(stakeholder)
    with mock.patch(
        "prodops.notifications.services.send_mail", side_effect=ConnectionRefusedError("no smtp")
    ):
        assert notification_email_send(notification_id=notification.pk) is False
        email = NotificationEmail.objects.get(pk=notification.pk)
        assert "no smtp" in email.last_error
        assert email.failed_at is None
        age(notification.pk)
        assert notification_emails_sweep() == 1
    email = NotificationEmail.objects.get(pk=notification.pk)
    assert email.attempts == 2
    assert email.failed_at is not None
    assert "ConnectionRefusedError" in email.last_error
    age(notification.pk, minutes=120)
    assert notification_emails_sweep() == 0  # given up: never queued again
    assert mailoutbox == []


@override_settings(EMAIL_MAX_ATTEMPTS=1)
def test_an_email_whose_every_attempt_crashed_is_recorded_as_failed(stakeholder, mailoutbox):
    notification = lost_notification(stakeholder)
    with (
        mock.patch("prodops.notifications.services.send_mail", side_effect=WorkerKilled),
        pytest.raises(WorkerKilled),
    ):
        notification_email_send(notification_id=notification.pk)
    age(notification.pk)
    assert notification_emails_sweep() == 1
    email = NotificationEmail.objects.get(pk=notification.pk)
    assert email.failed_at is not None
    assert email.sent_at is None
    assert mailoutbox == []


def test_a_broker_down_at_commit_leaves_the_email_for_the_sweep(stakeholder, mailoutbox):
    with mock.patch.object(send_notification_email, "delay", side_effect=OSError("no broker")):
        (notification,) = notify(recipients=[stakeholder], kind="general", title="Later")
    assert NotificationEmail.objects.get(pk=notification.pk).sent_at is None
    age(notification.pk)
    assert notification_emails_sweep() == 1
    assert len(mailoutbox) == 1
