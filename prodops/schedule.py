"""The one place where periodic Celery beat schedules are declared."""

from datetime import timedelta

BEAT_SCHEDULE: dict[str, dict] = {
    "reviews-sweep": {
        "task": "prodops.reviews.tasks.sweep_due_reviews",
        "schedule": timedelta(minutes=5),
    },
}
