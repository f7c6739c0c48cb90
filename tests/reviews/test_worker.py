import datetime as dt
import os
import time

import pytest
from django.conf import settings
from django.utils import timezone

from prodops.celery import app
from prodops.notifications.models import Notification
from prodops.reviews.models import ReminderDelivery
from prodops.reviews.tasks import sweep_due_reviews
from tests.core.test_celery import _redis_url


@pytest.mark.celery_worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_duplicate_beats_through_a_real_worker_deliver_once(cadence, review_people):
    """Three sweeps queued at once (a beat restart plus a second beat) run on a real worker
    through Redis: one delivery row and one notification per recipient."""
    url = _redis_url()
    if not url:
        if os.environ.get("CI") == "true" and os.environ.get("REDIS_URL"):
            pytest.fail("REDIS_URL is set in CI but Redis does not answer")
        pytest.skip("no Redis answering at REDIS_URL")
    from celery.contrib.testing.worker import start_worker

    owner, boss = review_people
    cadence.next_due_on = timezone.localdate() - dt.timedelta(days=5)  # due and escalated
    cadence.save()
    app.conf.update(task_always_eager=False, broker_url=url, broker_transport_options={})
    try:
        with start_worker(
            app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"
        ):
            for _ in range(3):
                sweep_due_reviews.apply_async(ignore_result=True)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and (
                Notification.objects.filter(kind__in=["review_due", "review_overdue"]).count() < 2
                or ReminderDelivery.objects.filter(sent_at__isnull=True).exists()
            ):
                time.sleep(0.2)
            time.sleep(1.0)  # let any duplicate send that was queued run too
    finally:
        app.conf.update(
            task_always_eager=True,
            broker_url=settings.CELERY_BROKER_URL,
            broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        )
    assert ReminderDelivery.objects.count() == 2
    assert not ReminderDelivery.objects.filter(sent_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=owner, kind="review_due").count() == 1
    assert Notification.objects.filter(recipient=boss, kind="review_overdue").count() == 1
