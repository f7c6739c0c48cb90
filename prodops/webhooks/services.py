"""Writes of outgoing webhooks: endpoints, events, and delivering them.

Delivery rule: an event owes exactly one delivery row to each active endpoint subscribed to
its type when it happens. A delivery is sent after the transaction that made the event
commits, claimed by the rule of ``prodops.core.claims`` (a crash counts as an attempt), and
retried on the Standard Webhooks schedule with jitter until an endpoint answers 2xx or the
schedule runs out. Every attempt carries the event's one `webhook-id`, so a receiver that
got a message whose answer was lost drops the copy. An endpoint whose attempts have failed
for `WEBHOOK_DISABLE_AFTER_DAYS` without a success in between is disabled and the admins
are told."""

import base64
import datetime as dt
import json
import logging
import random
import secrets
import time
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from prodops.accounts.roles import Role
from prodops.core.claims import attempt_claim
from prodops.core.errors import EditConflict, ValidationFailed
from prodops.notifications.services import notify

from . import network
from .events import EVENT_TYPES, payload_data
from .models import Attempt, Delivery, Endpoint, Event

logger = logging.getLogger(__name__)

# The Standard Webhooks suggested schedule: the first attempt at once, then these waits.
RETRY_DELAYS = (
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# Each wait is stretched or shrunk by up to this share, so failed receivers are not hit by a
# thundering herd when they come back.
JITTER = 0.2
TIMEOUT_SECONDS = 15
# A message larger than this is sent as a thin one: the type, the object and its link.
MAX_PAYLOAD_BYTES = 20 * 1024
# A rotated secret still signs beside the new one for this long.
PREVIOUS_SECRET_LIFETIME = dt.timedelta(hours=24)
# A delivery claimed this long ago and still unsent was dropped by a crashed worker.
STUCK_AFTER = dt.timedelta(minutes=2)


def new_secret() -> str:
    """A `whsec_` secret: 24 random bytes, base64, as the specification writes them."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _check_events(events) -> list[str]:
    events = list(dict.fromkeys(events or []))
    if not events:
        raise ValidationFailed("Pick at least one event to send.", field="events")
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise ValidationFailed(f"{unknown[0]} is not an event; pick from the list.", field="events")
    return events


def _check_url(url: str) -> None:
    try:
        network.resolve_target(url)
    except network.TargetRefused as refused:
        raise ValidationFailed(str(refused), field="url") from None


def _check_version(endpoint: Endpoint, expected_version) -> Endpoint:
    if expected_version in (None, ""):
        raise ValidationFailed(
            "Send the version you loaded, so a change made since is not overwritten.",
            field="version",
        )
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if locked.version != int(expected_version):
        raise EditConflict()
    return locked


@transaction.atomic
def endpoint_create(
    *, actor, url: str, events, description: str = "", active: bool = True
) -> Endpoint:
    """Register an endpoint (admins only) with a fresh secret."""
    _check_url(url)
    endpoint = Endpoint(
        url=url,
        description=description,
        events=_check_events(events),
        active=active,
        secret=new_secret(),
        created_by=actor,
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_update(*, endpoint: Endpoint, actor, expected_version, **fields) -> Endpoint:
    """Change an endpoint; switching it on again clears the record of its failures."""
    locked = _check_version(endpoint, expected_version)
    if "url" in fields:
        _check_url(fields["url"])
    if "events" in fields:
        fields["events"] = _check_events(fields["events"])
    for name, value in fields.items():
        setattr(locked, name, value)
    if fields.get("active") and locked.disabled_at:
        locked.disabled_at, locked.disabled_reason, locked.failing_since = None, "", None
    locked.full_clean()
    locked.version += 1
    locked.save()
    return locked


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: Endpoint, actor) -> Endpoint:
    """A new secret signs from now on; the old one signs beside it for a day."""
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.previous_secret = locked.secret
    locked.previous_secret_expires_at = timezone.now() + PREVIOUS_SECRET_LIFETIME
    locked.secret = new_secret()
    locked.version += 1
    locked.save()
    return locked


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, actor) -> None:
    endpoint.delete()


def message_body(event: Event) -> bytes:
    return json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()


def _payload(event_type: str, target, changes: dict | None, at: dt.datetime) -> dict:
    payload = {
        "type": event_type,
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "data": payload_data(target, changes=changes),
    }
    if len(json.dumps(payload, separators=(",", ":")).encode()) > MAX_PAYLOAD_BYTES:
        data = payload["data"]
        payload["data"] = {key: data[key] for key in ("object", "id", "url") if key in data} | {
            "truncated": True
        }
    return payload


def emit(*, event_type: str, target, changes: dict | None = None) -> Event | None:
    """Record that `event_type` happened to `target` and owe it to every active endpoint that
    wants it; sending starts once the surrounding transaction commits. None when nobody
    listens (then nothing is stored)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event {event_type}")
    endpoints = list(
        Endpoint.objects.filter(active=True, events__contains=[event_type]).values_list(
            "pk", flat=True
        )
    )
    if not endpoints:
        return None
    now = timezone.now()
    event = Event.objects.create(
        message_id=f"msg_{uuid.uuid4().hex}",
        type=event_type,
        payload=_payload(event_type, target, changes, now),
    )
    deliveries = Delivery.objects.bulk_create(
        [Delivery(event=event, endpoint_id=pk, next_attempt_at=now) for pk in endpoints]
    )
    for delivery in deliveries:
        _queue(delivery.pk)
    return event


def emit_many(*, event_type: str, targets) -> int:
    """`emit` for many objects at once (an import creating thousands of requests): one event
    per target, one delivery per event and listening endpoint, written in bulk and queued
    after the commit. Returns how many events were stored (0 when nobody listens)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event {event_type}")
    endpoints = list(
        Endpoint.objects.filter(active=True, events__contains=[event_type]).values_list(
            "pk", flat=True
        )
    )
    targets = list(targets)
    if not endpoints or not targets:
        return 0
    now = timezone.now()
    events = Event.objects.bulk_create(
        [
            Event(
                message_id=f"msg_{uuid.uuid4().hex}",
                type=event_type,
                payload=_payload(event_type, target, None, now),
            )
            for target in targets
        ],
        batch_size=2_000,
    )
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(event=event, endpoint_id=pk, next_attempt_at=now)
            for event in events
            for pk in endpoints
        ],
        batch_size=5_000,
    )
    ids = [delivery.pk for delivery in deliveries]

    def queue_all():
        from .tasks import deliver_webhook

        for delivery_id in ids:
            deliver_webhook.apply_async((delivery_id,))

    # robust, as in _queue: the sweep picks up whatever a broker outage leaves unqueued.
    transaction.on_commit(queue_all, robust=True)
    return len(events)


def _queue(delivery_id: int, *, countdown: float | None = None) -> None:
    from .tasks import deliver_webhook

    # robust: a broker that is down must not fail the change that made the event; the sweep
    # queues the delivery again.
    transaction.on_commit(
        lambda: deliver_webhook.apply_async((delivery_id,), countdown=countdown), robust=True
    )


def signature_header(endpoint: Endpoint, *, message_id: str, at: dt.datetime, body: str) -> str:
    """`v1,<base64 HMAC-SHA256 of id.timestamp.body>` for each live secret, space-separated."""
    live = [endpoint.secret]
    if endpoint.previous_secret and (
        endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > at
    ):
        live.append(endpoint.previous_secret)
    return " ".join(Webhook(s).sign(msg_id=message_id, timestamp=at, data=body) for s in live)


def _unsent(delivery_id: int):
    return Delivery.objects.filter(
        pk=delivery_id,
        sent_at__isnull=True,
        failed_at__isnull=True,
        next_attempt_at__lte=timezone.now(),
        endpoint_id__in=Endpoint.objects.filter(active=True).values("pk"),
    )


def delivery_send(*, delivery_id: int) -> bool:
    """Claim one attempt of a delivery that is due and make it. Returns whether it arrived."""
    attempt = attempt_claim(unsent=_unsent(delivery_id), max_attempts=MAX_ATTEMPTS)
    return attempt is not None and delivery_attempt(delivery_id=delivery_id, attempt=attempt)


def _next_wait(attempt: int) -> dt.timedelta | None:
    if attempt > len(RETRY_DELAYS):
        return None
    base = RETRY_DELAYS[attempt - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)


def delivery_attempt(*, delivery_id: int, attempt: int) -> bool:
    """Make claimed attempt number `attempt` while holding the delivery's row, if it is still
    the latest claim; record the answer in the log and the outcome in the same commit."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.filter(pk=delivery_id, attempts=attempt, sent_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "endpoint")
            .first()
        )
        if delivery is None:
            return False
        endpoint, event = delivery.endpoint, delivery.event
        body = message_body(event)
        started = timezone.now()
        clock = time.monotonic()
        log = Attempt(delivery=delivery, number=attempt, started_at=started)
        try:
            target = network.resolve_target(endpoint.url)
            headers = {
                "webhook-id": event.message_id,
                "webhook-timestamp": str(int(started.timestamp())),
                "webhook-signature": signature_header(
                    endpoint, message_id=event.message_id, at=started, body=body.decode()
                ),
                "User-Agent": "prodops-webhooks/1",
            }
            answer = network.post(target, body=body, headers=headers, timeout=TIMEOUT_SECONDS)
            log.status_code = answer.status
            log.response_excerpt = answer.body_excerpt
            if not 200 <= answer.status < 300:
                log.error = f"Answered {answer.status}; only 2xx counts as received."
        except (network.TargetRefused, OSError, ValueError) as error:
            log.error = f"{type(error).__name__}: {error}"[:500]
        log.duration_ms = int((time.monotonic() - clock) * 1000)
        log.save()
        delivery.last_status_code = log.status_code
        arrived = not log.error
        if arrived:
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
        else:
            delivery.last_error = log.error
            wait = _next_wait(attempt)
            if wait is None:
                delivery.failed_at = timezone.now()
            else:
                delivery.next_attempt_at = timezone.now() + wait
                _queue(delivery.pk, countdown=wait.total_seconds())
        delivery.save(
            update_fields=[
                "sent_at",
                "failed_at",
                "last_error",
                "last_status_code",
                "next_attempt_at",
            ]
        )
        _endpoint_answered(endpoint_id=endpoint.pk, arrived=arrived)
    return arrived


def _endpoint_answered(*, endpoint_id: int, arrived: bool) -> None:
    now = timezone.now()
    endpoints = Endpoint.objects.filter(pk=endpoint_id)
    if arrived:
        endpoints.filter(failing_since__isnull=False).update(failing_since=None)
        return
    endpoints.filter(failing_since__isnull=True).update(failing_since=now)
    limit = dt.timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS)
    disabled = endpoints.filter(active=True, failing_since__lte=now - limit).update(
        active=False,
        disabled_at=now,
        disabled_reason=f"Every attempt failed for {settings.WEBHOOK_DISABLE_AFTER_DAYS} days.",
    )
    if disabled:
        _tell_admins_disabled(Endpoint.objects.get(pk=endpoint_id))


def _tell_admins_disabled(endpoint: Endpoint) -> None:
    from prodops.accounts.models import User

    admins = list(User.objects.filter(is_active=True, role=Role.ADMIN))
    if endpoint.created_by and endpoint.created_by.is_active:
        admins.append(endpoint.created_by)
    notify(
        recipients=admins,
        kind="webhook_disabled",
        title=f"Webhook endpoint {endpoint} was switched off",
        body=f"{endpoint.disabled_reason} Check the receiver, then switch it on again.",
        url=f"/webhooks/{endpoint.pk}/",
        dedupe_key=f"webhook-disabled:{endpoint.pk}:{endpoint.disabled_at:%Y%m%d%H%M%S}",
    )


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery, actor) -> Delivery:
    """Send a delivery again from the first attempt, with the same `webhook-id` (a receiver
    that already has it may drop it)."""
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if not Endpoint.objects.filter(pk=locked.endpoint_id, active=True).exists():
        raise ValidationFailed("Switch the endpoint on before sending to it again.", field="active")
    locked.attempts = 0
    locked.sent_at = None
    locked.failed_at = None
    locked.last_error = ""
    locked.next_attempt_at = timezone.now()
    locked.save()
    _queue(locked.pk)
    return locked


def deliveries_sweep(*, limit: int = 500) -> int:
    """Queue every due delivery that no worker holds: a retry whose queued task was lost, or
    an attempt a crashed worker dropped."""
    now = timezone.now()
    due = (
        Delivery.objects.filter(
            sent_at__isnull=True,
            failed_at__isnull=True,
            next_attempt_at__lte=now,
            endpoint_id__in=Endpoint.objects.filter(active=True).values("pk"),
        )
        .exclude(last_attempt_at__gt=now - STUCK_AFTER)
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(due)
    from .tasks import deliver_webhook

    for pk in ids:
        deliver_webhook.delay(pk)
    return len(ids)
