"""Health: is the database answering, is the broker answering."""

from django.conf import settings
from django.db import connection


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
