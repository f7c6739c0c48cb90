from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def deliver_webhook(delivery_id: int) -> bool:
    """Make the next attempt of one delivery, if it is due and nobody holds it."""
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def sweep_webhook_deliveries() -> int:
    return services.deliveries_sweep()
