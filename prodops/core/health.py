"""Health: is the database answering, is the broker answering, has a worker run lately."""

import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone

# The heartbeat runs every minute (prodops/schedule.py); missing it this long means no
# worker has taken a scheduled task: the worker, or beat that schedules it, is down or stuck.
WORKER_HEARTBEAT_STALE_AFTER = dt.timedelta(minutes=5)


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}".strip()[:200]


def check_broker() -> tuple[bool, str]:
    from prodops.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        kind = "redis" if settings.CELERY_BROKER_URL.startswith("redis") else "filesystem"
        return True, f"ok ({kind})"
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}".strip()[:200]


def _ago(delta: dt.timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds}s ago"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def check_worker() -> tuple[bool, str]:
    """Whether a worker ran the periodic heartbeat within WORKER_HEARTBEAT_STALE_AFTER:
    "ok (seen 40s ago)", "stale (last seen 12 min ago)" or "never seen"."""
    from .models import Heartbeat
    from .services import WORKER_HEARTBEAT_MARKER

    try:
        seen_at = (
            Heartbeat.objects.filter(marker=WORKER_HEARTBEAT_MARKER)
            .values_list("seen_at", flat=True)
            .first()
        )
    except Exception as exc:
        return False, f"unknown ({type(exc).__name__})"
    if seen_at is None:
        return False, "never seen"
    age = timezone.now() - seen_at
    if age > WORKER_HEARTBEAT_STALE_AFTER:
        return False, f"stale (last seen {_ago(age)})"
    return True, f"ok (seen {_ago(age)})"
