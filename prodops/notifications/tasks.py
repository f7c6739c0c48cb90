from celery import shared_task


@shared_task(
    name="prodops.notifications.tasks.send_notification_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_notification_email(notification_id: int) -> bool:
    from .services import notification_send_email

    return notification_send_email(notification_id=notification_id)
