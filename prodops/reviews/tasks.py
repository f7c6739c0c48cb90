from celery import shared_task


@shared_task(name="prodops.reviews.tasks.sweep_due_reviews")
def sweep_due_reviews() -> int:
    """Periodic sweep for due reviews; cadences arrive with the roadmap."""
    return 0
