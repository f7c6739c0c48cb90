from celery import shared_task


@shared_task(name="prodops.reviews.tasks.sweep_due_reviews")
def sweep_due_reviews() -> int:
    """Periodic (prodops/schedule.py): deliver due and overdue review reminders exactly once."""
    from .services import reviews_sweep

    return reviews_sweep()


# No Celery retries: a failed send is recorded on its row and queued again by the next
# sweep, so every attempt is counted in one place.
@shared_task(name="prodops.reviews.tasks.send_review_reminder")
def send_review_reminder(delivery_id: int) -> bool:
    from .services import reminder_send

    return reminder_send(delivery_id=delivery_id)
