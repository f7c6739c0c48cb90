from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def preview_import(batch_id: int) -> None:
    """Check every line of a large uploaded file (idempotent: a batch no longer being
    checked is left alone)."""
    services.import_check(batch_id=batch_id)


@shared_task(ignore_result=True)
def commit_import(batch_id: int, actor_id: int) -> int:
    """Create a large batch's requests in one transaction (a batch no longer importing is
    left alone, so a duplicate run creates nothing)."""
    return services.import_create_requests(batch_id=batch_id, actor_id=actor_id)
