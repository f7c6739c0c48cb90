"""Claiming a send that must happen exactly once (a notification email, a review reminder).

The row of such a send has ``attempts``, ``last_attempt_at``, ``failed_at`` and
``last_error``. A send claims it in its own committed transaction — so a crash during the
send still counts — and then delivers inside a second transaction that locks the row again,
filtered by the attempt number it claimed, and stamps it sent in the same commit. A
concurrent send skips the locked row; one that claimed after us changes the number, so we
back off. Only the latest claimer sends, and only while the row is unsent.
"""

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

GAVE_UP_AFTER_CRASHES = "Stopped during every attempt."


def attempt_claim(*, unsent: QuerySet, max_attempts: int) -> int | None:
    """Commit one more attempt on the row of ``unsent`` (a queryset of at most one row, not
    sent and not failed) unless another send holds it, and return the attempt's number.
    None when there is nothing to claim, or when ``max_attempts`` are used up, which is
    then recorded as a failure."""
    with transaction.atomic():
        row = unsent.select_for_update(skip_locked=True).first()
        if row is None:
            return None
        if row.attempts >= max_attempts:
            row.failed_at = timezone.now()
            row.last_error = (row.last_error or GAVE_UP_AFTER_CRASHES)[:500]
            row.save(update_fields=["failed_at", "last_error"])
            return None
        row.attempts += 1
        row.last_attempt_at = timezone.now()
        row.save(update_fields=["attempts", "last_attempt_at"])
        return row.attempts


def attempt_failed(*, row: Model, attempt: int, max_attempts: int, error: Exception) -> None:
    """Record why attempt number ``attempt`` failed; at the last attempt, give up."""
    row.last_error = f"{type(error).__name__}: {error}"[:500]
    if attempt >= max_attempts:
        row.failed_at = timezone.now()
    row.save(update_fields=["last_error", "failed_at"])
