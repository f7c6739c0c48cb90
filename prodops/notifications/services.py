import contextlib
import contextvars
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification

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
    """Deliver an in-app notification to each recipient (once per `dedupe_key` when given) and
    queue its email after the surrounding transaction commits."""
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
            transaction.on_commit(lambda pk=notification.pk: send_notification_email.delay(pk))
    return created


def notification_send_email(*, notification_id: int) -> bool:
    """Email one notification at most once: the row is locked and stamped before sending."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.email:
            return False
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        link = f"{settings.SITE_URL}{notification.url}" if notification.url else settings.SITE_URL
        send_mail(
            subject=f"[prodops] {notification.title}",
            message=f"{notification.body}\n\n{link}".strip(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
    return True


@transaction.atomic
def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of a person's unread notifications read; returns how many."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
