from celery import shared_task


@shared_task(name="prodops.core.tasks.ping")
def ping(marker: str) -> str:
    """Smoke task: proves a worker takes tasks from the broker and can reach the database."""
    from .services import heartbeat_record

    heartbeat_record(marker=marker)
    return marker


@shared_task(name="prodops.core.tasks.worker_heartbeat")
def worker_heartbeat() -> None:
    """Periodic (prodops/schedule.py): prove a worker takes scheduled tasks; /healthz reads it."""
    from .services import worker_heartbeat_record

    worker_heartbeat_record()
