"""Writes for cadences and reviews, the reminder rule and the exactly-once reminder sweep."""

import datetime as dt
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from prodops.accounts.roles import Role
from prodops.accounts.scope import may_act_for_team, require_team_scope
from prodops.activity.services import activity_record
from prodops.core.claims import attempt_claim, attempt_failed
from prodops.core.errors import EditConflict, ValidationFailed
from prodops.notifications.models import Notification
from prodops.notifications.services import notify

from . import selectors
from .models import DEFAULT_INTERVAL_DAYS, Cadence, ReminderDelivery, Review

OVERDUE_ESCALATION_DAYS = 3
# Claimed sends of one delivery (crashes included) before it is recorded as failed.
REMINDER_MAX_ATTEMPTS = 5

logger = logging.getLogger(__name__)


def reminder_recipients(*, cadence: Cadence, today: dt.date) -> list[tuple[object, str]]:
    """From its due date on, a cadence's owner gets one "due" reminder for that due date; when
    the review is more than 3 days overdue, the lead it escalates to gets one "overdue"
    reminder too, unless that lead is the owner (one reminder per person per due date).
    Inactive or not-yet-due cadences remind nobody."""
    if not cadence.active or today < cadence.next_due_on:
        return []
    recipients = []
    if cadence.owner_id:
        recipients.append((cadence.owner, ReminderDelivery.Kind.DUE))
    overdue_days = (today - cadence.next_due_on).days
    escalate = cadence.escalate_to_id and cadence.escalate_to_id != cadence.owner_id
    if overdue_days > OVERDUE_ESCALATION_DAYS and escalate:
        recipients.append((cadence.escalate_to, ReminderDelivery.Kind.OVERDUE))
    return recipients


def cadence_state(*, cadence: Cadence, today: dt.date) -> str:
    """ "upcoming", "due" or "overdue" (more than 3 days past due), as the reminders see it."""
    if today < cadence.next_due_on:
        return "upcoming"
    if (today - cadence.next_due_on).days > OVERDUE_ESCALATION_DAYS:
        return "overdue"
    return "due"


@transaction.atomic
def cadence_ensure(
    *,
    kind: str,
    target,
    title: str,
    owner=None,
    escalate_to=None,
    url: str = "",
    interval_days: int = DEFAULT_INTERVAL_DAYS,
    first_due_on: dt.date | None = None,
) -> Cadence:
    """The cadence of `kind` for `target`, created with the given defaults if missing."""
    cadence, _ = Cadence.objects.get_or_create(
        kind=kind,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        target_id=target.pk,
        defaults={
            "title": title[:200],
            "owner": owner,
            "escalate_to": escalate_to,
            "url": url,
            "interval_days": interval_days,
            "next_due_on": first_due_on or timezone.localdate() + dt.timedelta(days=interval_days),
        },
    )
    return cadence


@transaction.atomic
def cadence_update(
    *, cadence: Cadence, actor, expected_version: int | None = None, **fields
) -> Cadence:
    """A lead of the cadence's team (see accounts.scope) sets how often, who reviews, who is
    told when it slips and the next due date. The owner and the person it escalates to must
    themselves be allowed to act on the cadence: a review is never handed to someone who could
    not hold it."""
    require_team_scope(actor, None, minimum=Role.LEAD, what="change a review cadence")
    locked = Cadence.objects.select_for_update().get(pk=cadence.pk)
    team = selectors.cadence_team(locked)
    require_team_scope(actor, team, minimum=Role.LEAD, what="change this review cadence")
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    changes = {}
    for name in ("interval_days", "owner", "escalate_to", "next_due_on", "active"):
        if name not in fields:
            continue
        value = fields[name]
        holder_refused = name in ("owner", "escalate_to") and value is not None
        if holder_refused and not may_act_for_team(value, team, minimum=Role.LEAD):
            whose = f"a lead of {team}" if team is not None else "a lead"
            raise ValidationFailed(
                f"{value} cannot hold this review: choose {whose} or an admin.", field=name
            )
        if name == "interval_days" and (value is None or not 1 <= int(value) <= 366):
            raise ValidationFailed("Review every 1 to 366 days.", field="interval_days")
        if name == "next_due_on" and value is None:
            raise ValidationFailed("Give the next due date.", field="next_due_on")
        if getattr(locked, name) != value:
            changes[name] = [str(getattr(locked, name)), str(value)]
            setattr(locked, name, value)
    if changes:
        locked.version += 1
        locked.save()
        activity_record(actor=actor, target=locked, verb="updated", changes=changes)
    return locked


@transaction.atomic
def review_complete(
    *, cadence: Cadence, actor, notes: str = "", today: dt.date | None = None
) -> Review:
    """Record a held review for the current due date and move the next due date one interval
    on from today."""
    require_team_scope(actor, None, minimum=Role.LEAD, what="complete a review")
    today = today or timezone.localdate()
    locked = Cadence.objects.select_for_update().get(pk=cadence.pk)
    require_team_scope(
        actor, selectors.cadence_team(locked), minimum=Role.LEAD, what="complete this review"
    )
    review = Review.objects.create(
        cadence=locked,
        due_on=locked.next_due_on,
        completed_on=today,
        completed_by=actor,
        notes=(notes or "").strip(),
    )
    previous_due = locked.next_due_on
    locked.next_due_on = today + dt.timedelta(days=locked.interval_days)
    locked.version += 1
    locked.save(update_fields=["next_due_on", "version"])
    activity_record(
        actor=actor,
        target=locked,
        verb="review_completed",
        changes={"next_due_on": [str(previous_due), str(locked.next_due_on)]},
        summary=review.notes,
    )
    cadence.next_due_on, cadence.version = locked.next_due_on, locked.version
    return review


def reviews_sweep(*, today: dt.date | None = None) -> int:
    """Insert one delivery row per (cadence, due date, recipient, kind) the reminder rule asks
    for — ON CONFLICT DO NOTHING, so duplicate or restarted sweeps add nothing — and queue a
    send, after commit, for every delivery neither sent nor given up on (which also finishes
    deliveries a crash, a failure or a send lost in flight left unsent). Returns how many sends were queued."""
    from .tasks import send_review_reminder

    today = today or timezone.localdate()
    due = Cadence.objects.filter(active=True, next_due_on__lte=today).select_related(
        "owner", "escalate_to"
    )
    rows = [
        ReminderDelivery(cadence=cadence, due_on=cadence.next_due_on, recipient=user, kind=kind)
        for cadence in due
        for user, kind in reminder_recipients(cadence=cadence, today=today)
    ]
    with transaction.atomic():
        if rows:
            ReminderDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        pending = list(
            ReminderDelivery.objects.filter(
                sent_at__isnull=True, failed_at__isnull=True
            ).values_list("pk", flat=True)
        )
        for pk in pending:
            transaction.on_commit(lambda pk=pk: send_review_reminder.delay(pk))
    return len(pending)


def reminder_send(*, delivery_id: int) -> bool:
    """Send one delivery exactly once, claimed by the rule of ``prodops.core.claims``: the
    attempt is committed first, then, holding the row, notify in-app (its email is owed in
    the same commit) and stamp `sent_at`, so a crash leaves it unsent for the next sweep and
    nothing is sent twice. A failure is recorded on the row; after REMINDER_MAX_ATTEMPTS
    attempts the row is given up (`failed_at`). A delivery whose review was completed
    meanwhile is stamped as skipped."""
    unsent = ReminderDelivery.objects.filter(
        pk=delivery_id, sent_at__isnull=True, failed_at__isnull=True
    )
    attempt = attempt_claim(unsent=unsent, max_attempts=REMINDER_MAX_ATTEMPTS)
    if attempt is None:
        return False
    with transaction.atomic():
        delivery = (
            unsent.filter(attempts=attempt)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("cadence", "recipient")
            .first()
        )
        if delivery is None:
            return False
        try:
            with transaction.atomic():
                return _reminder_deliver(delivery)
        except Exception as exc:  # recorded on the row; the next sweep queues it again
            attempt_failed(
                row=delivery, attempt=attempt, max_attempts=REMINDER_MAX_ATTEMPTS, error=exc
            )
            logger.warning("Reminder delivery %s failed: %s", delivery_id, delivery.last_error)
            return False


def _reminder_deliver(delivery: ReminderDelivery) -> bool:
    cadence = delivery.cadence
    delivery.sent_at = timezone.now()
    if not cadence.active or cadence.next_due_on != delivery.due_on:
        delivery.skipped = True
        delivery.save(update_fields=["sent_at", "skipped"])
        return False
    overdue = delivery.kind == ReminderDelivery.Kind.OVERDUE
    title = (
        f"Overdue: {cadence.title} was due {delivery.due_on:%d %b %Y}"
        if overdue
        else f"Due: {cadence.title} ({delivery.due_on:%d %b %Y})"
    )
    body = (
        f"The review is more than {OVERDUE_ESCALATION_DAYS} days overdue; it is escalated to you as lead."
        if overdue
        else f"Hold the review and complete it; the next one is due {cadence.interval_days} days after."
    )
    notify(
        recipients=[delivery.recipient],
        kind=Notification.Kind.REVIEW_OVERDUE if overdue else Notification.Kind.REVIEW_DUE,
        title=title,
        body=body,
        url=cadence.url,
        dedupe_key=f"delivery:{delivery.pk}",
    )
    delivery.save(update_fields=["sent_at"])
    return True
