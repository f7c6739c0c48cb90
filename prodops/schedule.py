"""The one place where periodic Celery beat schedules are declared."""

from datetime import timedelta

BEAT_SCHEDULE: dict[str, dict] = {
    "reviews-sweep": {
        "task": "prodops.reviews.tasks.sweep_due_reviews",
        "schedule": timedelta(minutes=5),
    },
    # Emails not sent within EMAIL_RETRY_AFTER_MINUTES are queued again; the sweep runs
    # more often than that so a lost email waits at most about one extra interval.
    "notification-emails-sweep": {
        "task": "prodops.notifications.tasks.sweep_unsent_emails",
        "schedule": timedelta(minutes=5),
    },
    # The worker's heartbeat, read by /healthz (stale after WORKER_HEARTBEAT_STALE_AFTER).
    "worker-heartbeat": {
        "task": "prodops.core.tasks.worker_heartbeat",
        "schedule": timedelta(minutes=1),
        # A heartbeat that waited in the queue longer than one interval tells nothing new.
        "options": {"expires": 60},
    },
    # Webhook deliveries whose queued retry was lost, or whose worker stopped mid-attempt.
    "webhook-deliveries-sweep": {
        "task": "prodops.webhooks.tasks.sweep_webhook_deliveries",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 60},
    },
}
