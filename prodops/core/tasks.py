from celery import shared_task


@shared_task(name="prodops.core.tasks.ping")
def ping(marker: str) -> str:
    """Smoke task: proves a worker takes tasks from the broker and can reach the database."""
    from .services import heartbeat_record

    heartbeat_record(marker=marker)
    return marker
