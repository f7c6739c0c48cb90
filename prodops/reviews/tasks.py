from celery import shared_task


@shared_task(name="prodops.reviews.tasks.sweep_due_reviews")
def sweep_due_reviews() -> int:
    """Periodic (prodops/schedule.py): deliver due and overdue review reminders exactly once."""
    from .services import reviews_sweep

    return reviews_sweep()


@shared_task(
    name="prodops.reviews.tasks.send_review_reminder",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_review_reminder(delivery_id: int) -> bool:
    from .services import reminder_send

    return reminder_send(delivery_id=delivery_id)
