from django.db import transaction

from .models import Heartbeat


@transaction.atomic
def heartbeat_record(*, marker: str) -> Heartbeat:
    """Record that a worker ran (idempotent per marker)."""
    heartbeat, _ = Heartbeat.objects.get_or_create(marker=marker)
    return heartbeat
