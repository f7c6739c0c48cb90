"""Writes for intake. Every status change goes through `request_transition`."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from prodops.accounts.roles import has_role
from prodops.activity.services import activity_record
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed
from prodops.notifications.models import Notification
from prodops.notifications.services import notify

from . import lifecycle
from .models import Request, RequestStatus, StatusChange, Watcher


def _request_url(request: Request) -> str:
    try:
        return reverse("intake:detail", args=[request.pk])
    except Exception:
        return ""


@transaction.atomic
def request_transition(
    *,
    request: Request,
    to: str,
    actor,
    reason: str = "",
    revisit_on: dt.date | None = None,
    expected_version: int | None = None,
    via_merge: bool = False,
    notify_watchers: bool = True,
) -> Request:
    """Move a request to `to` if the lifecycle allows it (see intake.lifecycle.check_move),
    record the change with its reason, stamp time-to-triage on the first triage decision, and
    tell the watchers. A refused move raises with the reason; nothing is saved."""
    locked = Request.objects.select_for_update().get(pk=request.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    check = lifecycle.check_move(
        current=locked.status,
        target=to,
        role_ok=lambda minimum: has_role(actor, minimum),
        is_requester=actor is not None and locked.requester_id == actor.pk,
        reason=reason,
        revisit_on=revisit_on,
        via_merge=via_merge,
    )
    if not check.allowed:
        if check.field is None:
            raise NotAllowed(check.reason)
        raise ValidationFailed(check.reason, field=check.field)
    if to == RequestStatus.PARKED and revisit_on <= timezone.localdate():
        raise ValidationFailed("The revisit date must be in the future.", field="revisit_on")

    previous = locked.status
    locked.status = to
    locked.status_reason = (reason or "").strip()
    locked.revisit_on = revisit_on if to == RequestStatus.PARKED else None
    if (
        previous in lifecycle.UNTRIAGED
        and locked.first_triaged_at is None
        and has_role(actor, "member")
    ):
        locked.first_triaged_at = timezone.now()
    locked.version += 1
    locked.save()
    StatusChange.objects.create(
        request=locked, from_status=previous, to_status=to, reason=locked.status_reason, actor=actor
    )
    activity_record(
        actor=actor,
        target=locked,
        verb="status_changed",
        changes={"status": [previous, to]},
        summary=locked.status_reason,
    )
    if notify_watchers:
        watchers = [w.user for w in Watcher.objects.filter(request=locked).select_related("user")]
        label = RequestStatus(to).label.lower()
        notify(
            recipients=watchers,
            kind=Notification.Kind.STATUS_CHANGE,
            title=f"“{locked.title}” is now {label}",
            body=locked.status_reason,
            url=_request_url(locked),
            exclude=actor,
        )
    request.status = locked.status
    request.version = locked.version
    return locked


def request_watch(*, request: Request, user) -> None:
    """Make `user` a watcher (idempotent)."""
    Watcher.objects.get_or_create(request=request, user=user)
