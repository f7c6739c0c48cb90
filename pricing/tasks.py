from celery import shared_task


@shared_task(name="pricing.tasks.switch_due_prices")
def switch_due_prices() -> int:
    """Periodic (prodops/schedule.py): make scheduled price changes effective on their date,
    each exactly once."""
    from .services import prices_switch_due

    return prices_switch_due()
