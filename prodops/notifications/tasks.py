from celery import shared_task


# No Celery retries: a failed send is recorded on its row and queued again by the sweep,
# so every attempt is counted in one place.
@shared_task(name="prodops.notifications.tasks.send_notification_email")
def send_notification_email(notification_id: int) -> bool:
    from .services import notification_email_send

    return notification_email_send(notification_id=notification_id)


@shared_task(name="prodops.notifications.tasks.sweep_unsent_emails")
def sweep_unsent_emails() -> int:
    """Periodic (prodops/schedule.py): queue again the emails not sent within a while."""
    from .services import notification_emails_sweep

    return notification_emails_sweep()
