"""Writes for team coalitions: cross-department groups around shared metrics."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from prodops.accounts.roles import Role, has_role
from prodops.activity.services import activity_record
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed
from prodops.reviews.models import Cadence
from prodops.reviews.services import cadence_ensure

from ..models import Coalition, CoalitionMeeting

COALITION_FIELDS = (
    "name",
    "charter",
    "status",
    "lead",
    "review_on",
    "meeting_interval_days",
)
MIN_DEPARTMENTS = 2


def coalition_visible(user, coalition: Coalition) -> bool:
    """The ops team (members, leads, admins) sees every coalition, as it sees every review
    cadence; a stakeholder sees the coalitions they are a member of."""
    if has_role(user, Role.MEMBER):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return coalition.members.filter(pk=user.pk).exists()


def coalition_member_errors(members) -> dict[str, str]:
    """A coalition crosses departments: its members come from at least two of them."""
    departments = {m.department_id for m in members if m.department_id is not None}
    if len(departments) < MIN_DEPARTMENTS:
        return {
            "members": f"Choose members from at least {MIN_DEPARTMENTS} departments "
            f"(these come from {len(departments)})."
        }
    return {}


def _validate(coalition: Coalition, members) -> None:
    if not (coalition.name or "").strip():
        raise ValidationFailed("Give the coalition a name.", field="name")
    if not (coalition.charter or "").strip():
        raise ValidationFailed("Write the charter: why the group exists.", field="charter")
    if coalition.review_on is None:
        raise ValidationFailed("Give the review or end date.", field="review_on")
    interval = coalition.meeting_interval_days
    if interval is None or not 1 <= int(interval) <= 366:
        raise ValidationFailed("Meet every 1 to 366 days.", field="meeting_interval_days")
    if coalition.status not in Coalition.Status.values:
        raise ValidationFailed("Choose forming, active, paused or closed.", field="status")
    errors = coalition_member_errors(members)
    if errors:
        field, message = next(iter(errors.items()))
        raise ValidationFailed(message, field=field)


def _meeting_cadence(coalition: Coalition) -> Cadence:
    """The coalition's meeting reminder rides the review sweep (kind coalition meeting): the lead
    is reminded once per meeting date; a paused or closed coalition is not reminded."""
    cadence = cadence_ensure(
        kind=Cadence.Kind.COALITION_MEETING,
        target=coalition,
        title=f"Coalition meeting: {coalition.name}",
        owner=coalition.lead,
        url=reverse("outcomes:coalition", args=[coalition.pk]),
        interval_days=coalition.meeting_interval_days,
        first_due_on=timezone.localdate() + dt.timedelta(days=coalition.meeting_interval_days),
    )
    active = coalition.status in (Coalition.Status.FORMING, Coalition.Status.ACTIVE)
    Cadence.objects.filter(pk=cadence.pk).update(
        active=active, owner=coalition.lead, interval_days=coalition.meeting_interval_days
    )
    return cadence


def _require_lead(actor, what: str) -> None:
    if not has_role(actor, Role.LEAD):
        raise NotAllowed(f"Only a lead may {what}.")


@transaction.atomic
def coalition_create(*, actor, members, metrics=(), **fields) -> Coalition:
    """A lead starts a coalition: charter, shared metrics, members from two or more
    departments, a meeting cadence with reminders, a status and a review or end date."""
    _require_lead(actor, "start a coalition")
    coalition = Coalition(**{k: v for k, v in fields.items() if k in COALITION_FIELDS})
    members = list(members)
    _validate(coalition, members)
    coalition.save()
    coalition.members.set(members)
    coalition.metrics.set(list(metrics))
    _meeting_cadence(coalition)
    activity_record(actor=actor, target=coalition, verb="created")
    return coalition


@transaction.atomic
def coalition_update(
    *,
    coalition: Coalition,
    actor,
    expected_version: int | None = None,
    members=None,
    metrics=None,
    **fields,
) -> Coalition:
    """A lead changes a coalition; a stale version is refused."""
    _require_lead(actor, "change a coalition")
    locked = Coalition.objects.select_for_update().get(pk=coalition.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    changes = {}
    for name, value in fields.items():
        if name in COALITION_FIELDS and getattr(locked, name) != value:
            changes[name] = [str(getattr(locked, name)), str(value)]
            setattr(locked, name, value)
    member_list = list(members) if members is not None else list(locked.members.all())
    _validate(locked, member_list)
    if members is not None and {m.pk for m in member_list} != set(
        locked.members.values_list("pk", flat=True)
    ):
        locked.members.set(member_list)
        changes["members"] = ["", ", ".join(str(m) for m in member_list)]
    if metrics is not None:
        locked.metrics.set(list(metrics))
        changes["metrics"] = ["", ", ".join(str(m) for m in metrics)]
    if changes:
        locked.version += 1
        locked.save()
        activity_record(actor=actor, target=locked, verb="updated", changes=changes)
    _meeting_cadence(locked)
    coalition.version = locked.version
    return locked


@transaction.atomic
def coalition_meeting_record(
    *, coalition: Coalition, actor, held_on: dt.date, notes: str = "", decisions: str = ""
) -> CoalitionMeeting:
    """A coalition member (or a lead) logs a held meeting and its decisions; the next meeting
    reminder is one interval after it."""
    if not (has_role(actor, Role.LEAD) or coalition.members.filter(pk=actor.pk).exists()):
        raise NotAllowed("Only the coalition's members (or a lead) log its meetings.")
    if held_on is None or held_on > timezone.localdate():
        raise ValidationFailed(
            "Give the date the meeting was held (not in the future).", field="held_on"
        )
    if not (decisions or "").strip() and not (notes or "").strip():
        raise ValidationFailed("Write what was discussed or decided.", field="decisions")
    meeting = CoalitionMeeting.objects.create(
        coalition=coalition,
        held_on=held_on,
        notes=(notes or "").strip(),
        decisions=(decisions or "").strip(),
        recorded_by=actor,
    )
    cadence = _meeting_cadence(coalition)
    next_due = held_on + dt.timedelta(days=coalition.meeting_interval_days)
    Cadence.objects.filter(pk=cadence.pk, next_due_on__lt=next_due).update(next_due_on=next_due)
    activity_record(actor=actor, target=coalition, verb="meeting_logged", summary=meeting.decisions)
    return meeting
