from celery import shared_task


@shared_task(name="packs.tasks.ensure_quarterly_cadences")
def ensure_quarterly_cadences() -> int:
    """Periodic (prodops/schedule.py): every team with a lead has its quarterly review
    cadence; the reviews sweep does the reminding."""
    from .services import quarterly_cadences_ensure

    return quarterly_cadences_ensure()
