import contextlib
import contextvars
import datetime as dt
import logging
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from prodops.core.claims import attempt_claim, attempt_failed

from .models import Notification, NotificationEmail

logger = logging.getLogger(__name__)

# At most this many sends are queued by one sweep, so a long mail outage drains in steps.
EMAIL_SWEEP_LIMIT = 500

_emails_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("emails_muted", default=False)


@contextlib.contextmanager
def emails_muted() -> Iterator[None]:
    """Inside this block notifications are still created in the app but not emailed (demo
    data, imports), so nobody's inbox fills with mail about made-up history."""
    token = _emails_muted.set(True)
    try:
        yield
    finally:
        _emails_muted.reset(token)


@transaction.atomic  # a notification and the email it owes are recorded together
def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str | None = None,
    exclude=None,
) -> list[Notification]:
    """Deliver an in-app notification to each recipient (once per `dedupe_key` when given);
    when they want email, record the email owed and queue its send after the surrounding
    transaction commits."""
    from .tasks import send_notification_email

    seen: set[int] = set()
    created: list[Notification] = []
    exclude_id = getattr(exclude, "pk", None)
    for user in recipients:
        if user is None or user.pk in seen or user.pk == exclude_id or not user.is_active:
            continue
        seen.add(user.pk)
        if dedupe_key:
            notification, was_created = Notification.objects.get_or_create(
                recipient=user,
                dedupe_key=dedupe_key,
                defaults={"kind": kind, "title": title[:300], "body": body, "url": url},
            )
            if not was_created:
                continue
        else:
            notification = Notification.objects.create(
                recipient=user, kind=kind, title=title[:300], body=body, url=url
            )
        created.append(notification)
        if user.email and user.email_notifications and not _emails_muted.get():
            NotificationEmail.objects.create(notification=notification)
            # robust: a broker that is down must not fail the request that already committed;
            # the email row stays unsent and the sweep queues it again.
            transaction.on_commit(
                lambda pk=notification.pk: send_notification_email.delay(pk), robust=True
            )
    return created


def _email_retry_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.EMAIL_RETRY_AFTER_MINUTES)


def notification_email_send(*, notification_id: int) -> bool:
    """Send a notification's email exactly once, however often its send is queued: claimed
    and delivered by the rule of ``prodops.core.claims`` (a crash counts as an attempt and
    leaves the email unsent; a failure records its error; the sweep queues both again after
    ``EMAIL_RETRY_AFTER_MINUTES``; at ``EMAIL_MAX_ATTEMPTS`` it is recorded as failed).
    Returns whether it sent."""
    attempt = email_claim(notification_id=notification_id)
    return attempt is not None and email_deliver(notification_id=notification_id, attempt=attempt)


def _unsent_email(notification_id: int):
    return NotificationEmail.objects.filter(
        pk=notification_id, sent_at__isnull=True, failed_at__isnull=True
    )


def email_claim(*, notification_id: int) -> int | None:
    """Commit one more attempt on an unsent email nobody holds and return its number."""
    return attempt_claim(
        unsent=_unsent_email(notification_id), max_attempts=settings.EMAIL_MAX_ATTEMPTS
    )


def email_deliver(*, notification_id: int, attempt: int) -> bool:
    """Send a claimed email while holding its row, if ``attempt`` is still the latest claim,
    and stamp it sent in the same commit; a failure is recorded on the row instead."""
    with transaction.atomic():
        email = (
            _unsent_email(notification_id)
            .filter(attempts=attempt)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("notification__recipient")
            .first()
        )
        if email is None:
            return False
        notification = email.notification
        link = f"{settings.SITE_URL}{notification.url}" if notification.url else settings.SITE_URL
        try:
            if not notification.recipient.email:
                raise ValueError("The recipient has no email address.")
            send_mail(
                subject=f"[prodops] {notification.title}",
                message=f"{notification.body}\n\n{link}".strip(),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[notification.recipient.email],
            )
        except Exception as exc:  # any failure is recorded; the sweep decides on a retry
            attempt_failed(
                row=email, attempt=attempt, max_attempts=settings.EMAIL_MAX_ATTEMPTS, error=exc
            )
            logger.warning(
                "Email of notification %s failed (attempt %s): %s",
                notification_id,
                attempt,
                email.last_error,
            )
            return False
        email.sent_at = timezone.now()
        email.save(update_fields=["sent_at"])
    return True


def notification_emails_sweep(*, limit: int = EMAIL_SWEEP_LIMIT) -> int:
    """Queue a send again for every email neither sent nor given up on whose last attempt
    (or, untried, whose creation) is more than ``EMAIL_RETRY_AFTER_MINUTES`` old: a send
    lost in the broker or in a killed worker, a crash, a failed try. The send's row claim
    keeps this exactly-once. Returns how many sends were queued (oldest first, at most
    ``limit``)."""
    from .tasks import send_notification_email

    cutoff = timezone.now() - _email_retry_after()
    stale = (
        NotificationEmail.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
        .filter(
            Q(last_attempt_at__lt=cutoff) | Q(last_attempt_at__isnull=True, created_at__lt=cutoff)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    pending = list(stale)
    for pk in pending:
        transaction.on_commit(lambda pk=pk: send_notification_email.delay(pk))
    return len(pending)


@transaction.atomic
def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of a person's unread notifications read; returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
