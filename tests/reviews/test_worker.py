import datetime as dt
import time

import pytest
from django.utils import timezone

from prodops.notifications.models import Notification
from prodops.reviews.models import ReminderDelivery
from prodops.reviews.tasks import sweep_due_reviews
from tests.conftest import wait_until


@pytest.mark.celery_worker
@pytest.mark.slow
def test_duplicate_beats_through_a_real_worker_deliver_once(real_worker, cadence, review_people):
    """Three sweeps queued at once (a beat restart plus a second beat) run on a real worker
    through Redis: one delivery row and one notification per recipient."""
    owner, boss = review_people
    cadence.next_due_on = timezone.localdate() - dt.timedelta(days=5)  # due and escalated
    cadence.save()
    for _ in range(3):
        sweep_due_reviews.apply_async(ignore_result=True)
    wait_until(
        lambda: (
            Notification.objects.filter(kind__in=["review_due", "review_overdue"]).count() >= 2
            and not ReminderDelivery.objects.filter(sent_at__isnull=True).exists()
        ),
        timeout=30,
    )
    time.sleep(1.0)  # let any duplicate send that was queued run too
    assert ReminderDelivery.objects.count() == 2
    assert not ReminderDelivery.objects.filter(sent_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=owner, kind="review_due").count() == 1
    assert Notification.objects.filter(recipient=boss, kind="review_overdue").count() == 1
