from django.db import transaction
from django.utils import timezone

from .models import Heartbeat


@transaction.atomic
def heartbeat_record(*, marker: str) -> Heartbeat:
    """Record that a worker ran (idempotent per marker)."""
    heartbeat, _ = Heartbeat.objects.get_or_create(marker=marker)
    return heartbeat


# The marker of the periodic worker heartbeat (see prodops/schedule.py and health.py).
WORKER_HEARTBEAT_MARKER = "worker-heartbeat"


def worker_heartbeat_record() -> Heartbeat:
    """Stamp the worker's heartbeat with the current time (one row, updated in place)."""
    heartbeat, _ = Heartbeat.objects.update_or_create(
        marker=WORKER_HEARTBEAT_MARKER, defaults={"seen_at": timezone.now()}
    )
    return heartbeat
