"""Writes for the roadmap. Each runs in one transaction; changes that add planned days lock
the roadmap row so the commitment check holds under concurrent edits."""

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from intake.models import Request, RequestStatus
from intake.services import request_transition
from prodops.accounts.models import Team, TeamMembership
from prodops.accounts.roles import Role, has_role
from prodops.accounts.scope import may_act_for_team, require_team_scope
from prodops.activity.services import activity_record
from prodops.core.errors import EditConflict, NotAllowed, ValidationFailed
from prodops.core.periods import parse_period
from prodops.core.selectors import workspace_settings
from prodops.notifications.models import Notification
from prodops.notifications.services import notify
from prodops.reviews.models import Cadence
from prodops.reviews.services import cadence_ensure, review_complete

from . import rules, selectors, snapshots
from .models import (
    CapacityOverride,
    ItemPeriodMove,
    ItemRequest,
    Lane,
    Overcommit,
    Roadmap,
    RoadmapItem,
    RoadmapWatcher,
    ShareLink,
    Snapshot,
    UnplannedEntry,
)
from .signals import item_planned, item_shipped

ITEM_FIELDS = (
    "title",
    "public_title",
    "public_summary",
    "internal_notes",
    "estimate_days",
    "objective",
    "owner",
    "lane",
    "start_month",
    "end_month",
    "status",
    "visibility",
)

# The part of the request lifecycle a roadmap item walks its requests along, in order.
_REQUEST_LINE = [
    RequestStatus.ACCEPTED,
    RequestStatus.PLANNED,
    RequestStatus.IN_PROGRESS,
    RequestStatus.SHIPPED,
]
# Checks an item must pass to move to shipped, each raising DomainError to refuse; other apps
# add theirs at start-up (the docs hub: release readiness).
SHIP_CHECKS: list = []

_ITEM_MOVES = {
    RoadmapItem.Status.PLANNED: {RoadmapItem.Status.IN_PROGRESS, RoadmapItem.Status.SHIPPED},
    RoadmapItem.Status.IN_PROGRESS: {RoadmapItem.Status.PLANNED, RoadmapItem.Status.SHIPPED},
    RoadmapItem.Status.SHIPPED: set(),
}


# --- who may ----------------------------------------------------------------------------


def can_edit_items(*, actor, roadmap: Roadmap) -> bool:
    """Members and leads of the roadmap's team edit its items and log its unplanned work;
    admins any team's (the team-scope rule, accounts.scope.may_act_for_team)."""
    return may_act_for_team(actor, roadmap.team, minimum=Role.MEMBER)


def can_plan(*, actor, roadmap: Roadmap) -> bool:
    """Leads of the roadmap's team plan it, set its buffer and capacity, override, take
    snapshots, hold reviews and manage cadences and share links; admins any team's."""
    return may_act_for_team(actor, roadmap.team, minimum=Role.LEAD)


def _require_item_editor(actor, roadmap: Roadmap) -> None:
    if not can_edit_items(actor=actor, roadmap=roadmap):
        raise NotAllowed(
            f"Only members of {roadmap.team} and its leads may change this roadmap's items or "
            "log unplanned work."
        )


def _require_lead(actor, roadmap: Roadmap, what: str) -> None:
    require_team_scope(actor, roadmap.team, minimum=Role.LEAD, what=what)


# --- helpers ----------------------------------------------------------------------------


def _lock(roadmap: Roadmap) -> Roadmap:
    return Roadmap.objects.select_for_update().select_related("team").get(pk=roadmap.pk)


def _capacity_days(roadmap: Roadmap) -> Decimal:
    overrides = dict(
        CapacityOverride.objects.filter(roadmap=roadmap).values_list("user_id", "capacity_days")
    )
    total = Decimal(0)
    for membership in TeamMembership.objects.filter(team_id=roadmap.team_id):
        total += overrides.get(membership.user_id, membership.quarter_capacity_days)
    return total


def _plannable(roadmap: Roadmap) -> Decimal:
    return rules.plannable_days(
        capacity_days=_capacity_days(roadmap), buffer_percent=roadmap.buffer_percent
    )


def _planned(roadmap: Roadmap, *, excluding: int | None = None) -> Decimal:
    qs = RoadmapItem.objects.filter(roadmap=roadmap)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.aggregate(total=Sum("estimate_days"))["total"] or Decimal(0)


def _enforce_commitment(
    *,
    roadmap: Roadmap,
    planned_after: Decimal,
    plannable: Decimal,
    actor,
    override_reason: str,
    field: str,
    item: RoadmapItem | None = None,
) -> Overcommit | None:
    decision = rules.commitment_check(
        planned_days=planned_after,
        plannable_days=plannable,
        override_reason=override_reason,
        actor_is_lead=has_role(actor, Role.LEAD),
    )
    if not decision.allowed:
        if decision.needs_lead:
            raise NotAllowed(decision.message)
        raise ValidationFailed(decision.message, field=field)
    if not decision.overcommitted:
        return None
    return Overcommit(
        roadmap=roadmap,
        item=item,
        reason=override_reason.strip(),
        planned_days=planned_after,
        plannable_days=plannable,
        actor=actor,
    )


def _decimal(value, field: str, *, allow_none: bool = False) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationFailed("This field is required.", field=field)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("Enter a number.", field=field) from None
    if not number.is_finite():
        raise ValidationFailed("Enter a number.", field=field)
    return number


def _first_of_month(day) -> dt.date | None:
    if day is None or day == "":
        return None
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day if len(day) > 7 else f"{day}-01")
        except ValueError:
            raise ValidationFailed("Use a month like 2027-02.", field="start_month") from None
    return day.replace(day=1)


def _validate_item(item: RoadmapItem, roadmap: Roadmap) -> None:
    if not (item.title or "").strip():
        raise ValidationFailed("Give the item a title.", field="title")
    if item.objective_id is None:
        raise ValidationFailed(
            "Choose the objective this item serves: everything on the roadmap ties back to an objective.",
            field="objective",
        )
    if (
        item.owner_id is not None
        and not roadmap.team.memberships.filter(user_id=item.owner_id).exists()
    ):
        raise ValidationFailed(f"The owner must be on the {roadmap.team.name} team.", field="owner")
    if item.estimate_days is None or item.estimate_days <= 0:
        raise ValidationFailed(
            "The estimate must be more than 0 person-days.", field="estimate_days"
        )
    if item.estimate_days >= Decimal("100000"):
        raise ValidationFailed("The estimate is too large.", field="estimate_days")
    if item.lane not in Lane.values:
        raise ValidationFailed("Choose now, next or later.", field="lane")
    if item.status not in RoadmapItem.Status.values:
        raise ValidationFailed("Unknown status.", field="status")
    if item.visibility not in RoadmapItem.Visibility.values:
        raise ValidationFailed("Choose internal or shared.", field="visibility")
    if item.visibility == RoadmapItem.Visibility.SHARED and not (item.public_title or "").strip():
        raise ValidationFailed(
            "A shared item needs a stakeholder-facing title.", field="public_title"
        )
    item.start_month, item.end_month = (
        _first_of_month(item.start_month),
        _first_of_month(item.end_month),
    )
    if (item.start_month is None) != (item.end_month is None):
        field = "end_month" if item.end_month is None else "start_month"
        raise ValidationFailed("Give both the first and the last month, or neither.", field=field)
    if item.start_month:
        months = set(
            parse_period(
                roadmap.period, fiscal_start_month=workspace_settings().fiscal_year_start_month
            ).months()
        )
        for field in ("start_month", "end_month"):
            if getattr(item, field) not in months:
                raise ValidationFailed(f"Pick a month inside {roadmap.period}.", field=field)
        if item.start_month > item.end_month:
            raise ValidationFailed("The last month comes before the first.", field="end_month")


def request_status_reason(*, item: RoadmapItem, roadmap: Roadmap, status: str) -> str:
    """What the requesters of an item's requests read when the item moves them (status
    history, their request page, the API, the status-change notification): the team and
    quarter, plus the item's stakeholder-facing title when the item is shared — never its
    internal title."""
    where = {
        RequestStatus.PLANNED: f"Planned for {roadmap.period} by {roadmap.team}",
        RequestStatus.IN_PROGRESS: f"{roadmap.team} started work on it ({roadmap.period})",
        RequestStatus.SHIPPED: f"Shipped by {roadmap.team} ({roadmap.period})",
        RequestStatus.ACCEPTED: f"Taken off the {roadmap.team} roadmap for {roadmap.period}",
    }[status]
    if item.visibility == RoadmapItem.Visibility.SHARED and item.public_title:
        return f"{where} as “{item.public_title}”."
    return f"{where}."


def _walk_requests(requests, *, to: str, item: RoadmapItem, roadmap: Roadmap, actor) -> None:
    """Move each request one step at a time along accepted ⇄ planned ⇄ in progress → shipped
    until it reaches `to` (the lifecycle has no shortcuts), as the item's doing."""
    target = _REQUEST_LINE.index(to)
    for request in requests:
        while request.status in _REQUEST_LINE and request.status != to:
            here = _REQUEST_LINE.index(request.status)
            step = _REQUEST_LINE[here + 1 if target > here else here - 1]
            request_transition(
                request=request,
                to=step,
                actor=actor,
                reason=request_status_reason(item=item, roadmap=roadmap, status=step),
                via_roadmap=True,
            )


def plan_team_refusal(*, request: Request, roadmap: Roadmap) -> str | None:
    """An item plans only requests of its roadmap's team: a request of another team, or one
    without a team yet, is refused with the reason (None when the request may be planned
    there). The request's team is set at triage (intake.services.request_set_team)."""
    if request.team_id == roadmap.team_id:
        return None
    if request.team_id is None:
        return (
            f"“{request.title}” has no team yet; set its team to {roadmap.team} at triage "
            "before planning it here."
        )
    return (
        f"“{request.title}” belongs to {request.team}; an item on the {roadmap.team} roadmap "
        f"plans only {roadmap.team}'s requests."
    )


def _lock_plannable_requests(request_ids, *, roadmap: Roadmap) -> list[Request]:
    """Lock the requests about to be planned on `roadmap`; each must exist, be accepted, belong
    to the roadmap's team (plan_team_refusal) and sit on no item."""
    found = list(
        Request.objects.select_for_update(of=("self",))
        .select_related("team")
        .filter(pk__in=request_ids)
        .order_by("pk")
    )
    if len(found) != len(set(request_ids)):
        raise ValidationFailed("Some of these requests do not exist.", field="requests")
    if ItemRequest.objects.filter(request_id__in=request_ids).exists():
        raise ValidationFailed("A request is already on a roadmap item.", field="requests")
    for request in found:
        if request.status != RequestStatus.ACCEPTED:
            raise ValidationFailed(
                f"“{request.title}” is {request.get_status_display().lower()}; only accepted requests can be planned.",
                field="requests",
            )
        if refusal := plan_team_refusal(request=request, roadmap=roadmap):
            raise ValidationFailed(refusal, field="requests")
    return found


# --- roadmaps ---------------------------------------------------------------------------


@transaction.atomic
def roadmap_create(
    *,
    actor,
    team: Team,
    period: str,
    buffer_percent=Decimal("25"),
    notes: str = "",
    review_every_days: int = 14,
) -> Roadmap:
    """A lead starts a team's roadmap for a quarter; it gets a review cadence (every two weeks
    by default) owned by the team's lead."""
    require_team_scope(actor, None, minimum=Role.LEAD, what="plan roadmaps")
    if team is None:
        raise ValidationFailed("Choose a team.", field="team")
    require_team_scope(actor, team, minimum=Role.LEAD, what="plan roadmaps")
    parsed = parse_period(period, fiscal_start_month=workspace_settings().fiscal_year_start_month)
    if not parsed.is_quarter:
        raise ValidationFailed("A roadmap covers a quarter, like 2027-Q1.", field="period")
    buffer = _decimal(buffer_percent, "buffer_percent")
    if refusal := rules.buffer_refusal(buffer):
        raise ValidationFailed(refusal, field="buffer_percent")
    if Roadmap.objects.filter(team=team, period=parsed.label).exists():
        raise ValidationFailed(f"{team} already has a roadmap for {parsed.label}.", field="period")
    try:
        with transaction.atomic():
            roadmap = Roadmap.objects.create(
                team=team,
                period=parsed.label,
                period_start=parsed.start,
                period_end=parsed.end,
                buffer_percent=buffer,
                notes=notes or "",
            )
    except IntegrityError:
        raise ValidationFailed(
            f"{team} already has a roadmap for {parsed.label}.", field="period"
        ) from None
    owner = team.lead or actor
    cadence_ensure(
        kind=Cadence.Kind.ROADMAP,
        target=roadmap,
        title=f"Roadmap review: {team} {parsed.label}",
        owner=owner,
        escalate_to=team.lead or owner,
        url=roadmap.get_absolute_url(),
        interval_days=review_every_days,
    )
    activity_record(actor=actor, target=roadmap, verb="created", summary=str(roadmap))
    return roadmap


@transaction.atomic
def roadmap_update(
    *,
    roadmap: Roadmap,
    actor,
    expected_version: int | None = None,
    buffer_percent=None,
    notes: str | None = None,
    capacity_overrides: dict | None = None,
    override_reason: str = "",
) -> Roadmap:
    """A lead sets the buffer, notes and per-member capacity overrides ({user_id: days or
    None to clear}). Shrinking plannable below what is planned is the same over-commit the
    commitment check refuses; shrinking the buffer raises its burn, so the burn alerts are
    checked too."""
    _require_lead(actor, roadmap, "set the buffer and capacity")
    locked = _lock(roadmap)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    before_plannable = _plannable(locked)
    changes = {}
    if buffer_percent is not None:
        buffer = _decimal(buffer_percent, "buffer_percent")
        if refusal := rules.buffer_refusal(buffer):
            raise ValidationFailed(refusal, field="buffer_percent")
        if buffer != locked.buffer_percent:
            changes["buffer_percent"] = [str(locked.buffer_percent), str(buffer)]
            locked.buffer_percent = buffer
    if notes is not None and notes != locked.notes:
        changes["notes"] = ["…", "…"]
        locked.notes = notes
    if capacity_overrides:
        members = set(
            TeamMembership.objects.filter(team_id=locked.team_id).values_list("user_id", flat=True)
        )
        for user_id, days in capacity_overrides.items():
            user_id = int(user_id)
            if user_id not in members:
                raise ValidationFailed(
                    f"Person {user_id} is not on {locked.team}.", field="capacity_overrides"
                )
            value = _decimal(days, "capacity_overrides", allow_none=True)
            if value is None:
                CapacityOverride.objects.filter(roadmap=locked, user_id=user_id).delete()
            else:
                if not Decimal(0) <= value <= Decimal(92):
                    raise ValidationFailed(
                        "A member's capacity is 0 to 92 person-days a quarter.",
                        field="capacity_overrides",
                    )
                CapacityOverride.objects.update_or_create(
                    roadmap=locked, user_id=user_id, defaults={"capacity_days": value}
                )
            changes[f"capacity:{user_id}"] = [None, str(value) if value is not None else None]
    after_plannable = _plannable(locked)
    if after_plannable < before_plannable:
        overcommit = _enforce_commitment(
            roadmap=locked,
            planned_after=_planned(locked),
            plannable=after_plannable,
            actor=actor,
            override_reason=override_reason,
            field="buffer_percent" if "buffer_percent" in changes else "capacity_overrides",
        )
        if overcommit:
            overcommit.save()
    if changes:
        locked.version += 1
        locked.save()
        activity_record(actor=actor, target=locked, verb="updated", changes=changes)
        buffer_alert_check(roadmap=locked)
    return locked


# --- items ------------------------------------------------------------------------------


@transaction.atomic
def roadmap_item_create(
    *,
    roadmap: Roadmap,
    actor,
    requests=(),
    objective=None,
    estimate_days=None,
    title: str = "",
    public_title: str = "",
    public_summary: str = "",
    internal_notes: str = "",
    owner=None,
    lane: str = Lane.NEXT,
    start_month=None,
    end_month=None,
    visibility: str = RoadmapItem.Visibility.INTERNAL,
    override_reason: str = "",
) -> RoadmapItem:
    """A lead plans accepted requests as one item: the estimate defaults to the mean assessed
    effort, the objective to the requests' shared objective; the commitment check runs with
    the roadmap row locked; the requests move to planned."""
    _require_lead(actor, roadmap, "plan roadmap items")
    locked = _lock(roadmap)
    request_ids = sorted({getattr(r, "pk", r) for r in requests})
    if not request_ids:
        raise ValidationFailed("Pick at least one accepted request to plan.", field="requests")
    found = _lock_plannable_requests(request_ids, roadmap=locked)
    if estimate_days in (None, ""):
        estimate = selectors.default_estimate_days(request_ids)
        if estimate is None:
            raise ValidationFailed(
                "Nobody has assessed these requests yet; give an estimate in person-days.",
                field="estimate_days",
            )
    else:
        estimate = _decimal(estimate_days, "estimate_days")
    if objective is None:
        objectives = {r.objective_id for r in found}
        if len(objectives) == 1 and None not in objectives:
            objective = found[0].objective
    item = RoadmapItem(
        roadmap=locked,
        title=(title or found[0].title).strip(),
        public_title=(public_title or "").strip(),
        public_summary=public_summary or "",
        internal_notes=internal_notes or "",
        estimate_days=estimate,
        objective=objective,
        owner=owner,
        lane=lane or Lane.NEXT,
        start_month=start_month,
        end_month=end_month,
        visibility=visibility or RoadmapItem.Visibility.INTERNAL,
    )
    _validate_item(item, locked)
    overcommit = _enforce_commitment(
        roadmap=locked,
        planned_after=_planned(locked) + estimate,
        plannable=_plannable(locked),
        actor=actor,
        override_reason=override_reason,
        field="estimate_days",
    )
    last = RoadmapItem.objects.filter(roadmap=locked).order_by("-position").first()
    item.position = (last.position + 1) if last else 0
    item.save()
    ItemRequest.objects.bulk_create([ItemRequest(item=item, request=r) for r in found])
    if overcommit:
        overcommit.item = item
        overcommit.save()
    _walk_requests(found, to=RequestStatus.PLANNED, item=item, roadmap=locked, actor=actor)
    item_planned.send(sender=RoadmapItem, item=item, actor=actor)
    activity_record(
        actor=actor,
        target=item,
        verb="created",
        changes={"estimate_days": [None, str(estimate)], "requests": [None, request_ids]},
        summary=f"Over-commit: {overcommit.reason}" if overcommit else "",
    )
    return item


@transaction.atomic
def roadmap_item_update(
    *,
    item: RoadmapItem,
    actor,
    expected_version: int | None = None,
    override_reason: str = "",
    **fields,
) -> RoadmapItem:
    """Change an item (members of the team or leads). A higher estimate passes the commitment
    check with the roadmap locked; a status change carries the grouped requests along
    (planned → in progress → shipped)."""
    roadmap = _lock(item.roadmap)
    _require_item_editor(actor, roadmap)
    locked = RoadmapItem.objects.select_for_update().get(pk=item.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationFailed("This field cannot be changed here.", field=sorted(unknown)[0])
    old_estimate, old_status = locked.estimate_days, locked.status
    changes = {}
    for name, value in fields.items():
        if name == "estimate_days":
            value = _decimal(value, "estimate_days")
        if name in ("start_month", "end_month"):
            value = _first_of_month(value)
        if name in ("title", "public_title") and value is not None:
            value = value.strip()
        if value is None and name in ("title", "public_title", "public_summary", "internal_notes"):
            value = ""
        old = getattr(locked, name)
        if old != value:
            changes[name] = [
                str(old) if old is not None else None,
                str(value) if value is not None else None,
            ]
            setattr(locked, name, value)
    if not changes:
        return locked
    if locked.status != old_status and locked.status not in _ITEM_MOVES[old_status]:
        raise ValidationFailed(
            f"An item cannot go from {RoadmapItem.Status(old_status).label.lower()} to "
            f"{RoadmapItem.Status(locked.status).label.lower()}.",
            field="status",
        )
    _validate_item(locked, roadmap)
    if locked.status == RoadmapItem.Status.SHIPPED and old_status != locked.status:
        for check in SHIP_CHECKS:
            check(item=locked)
    overcommit = None
    if locked.estimate_days > old_estimate:
        overcommit = _enforce_commitment(
            roadmap=roadmap,
            planned_after=_planned(roadmap, excluding=locked.pk) + locked.estimate_days,
            plannable=_plannable(roadmap),
            actor=actor,
            override_reason=override_reason,
            field="estimate_days",
            item=locked,
        )
    locked.version += 1
    locked.save()
    if overcommit:
        overcommit.save()
    if locked.status != old_status:
        _walk_requests(
            locked.requests.all(), to=locked.status, item=locked, roadmap=roadmap, actor=actor
        )
        if locked.status == RoadmapItem.Status.SHIPPED:
            item_shipped.send(
                sender=RoadmapItem, item=locked, actor=actor, shipped_on=timezone.localdate()
            )
    activity_record(actor=actor, target=locked, verb="updated", changes=changes)
    item.version = locked.version
    return locked


def roadmap_item_move(
    *, item: RoadmapItem, actor, lane: str, expected_version: int | None = None
) -> RoadmapItem:
    """Move an item to another lane (board drag-and-drop or the lane buttons). The move
    carries the version the board was loaded at: a move without one is refused naming
    `version`, a stale one gets 409, so nobody moves an item they have not seen as it is."""
    _require_item_editor(actor, item.roadmap)
    if lane not in Lane.values:
        raise ValidationFailed("Choose now, next or later.", field="lane")
    if expected_version is None:
        raise ValidationFailed(
            "Reload the board and move the item again: the move lost its version.",
            field="version",
        )
    return roadmap_item_update(item=item, actor=actor, expected_version=expected_version, lane=lane)


@transaction.atomic
def roadmap_item_remove(*, item: RoadmapItem, actor) -> None:
    """A lead takes a planned item off the roadmap; its requests go back to accepted."""
    _require_lead(actor, item.roadmap, "take items off the roadmap")
    _lock(item.roadmap)
    locked = RoadmapItem.objects.select_for_update().get(pk=item.pk)
    if locked.status != RoadmapItem.Status.PLANNED:
        raise ValidationFailed(
            "Only planned items can be taken off; this one has started or shipped.", field="status"
        )
    requests = list(locked.requests.all())
    ItemRequest.objects.filter(item=locked).delete()
    _walk_requests(
        requests, to=RequestStatus.ACCEPTED, item=locked, roadmap=locked.roadmap, actor=actor
    )
    activity_record(actor=actor, target=locked.roadmap, verb="item_removed", summary=locked.title)
    locked.delete()


@transaction.atomic
def roadmap_item_move_period(
    *,
    item: RoadmapItem,
    to_roadmap: Roadmap,
    actor,
    override_reason: str = "",
    expected_version: int | None = None,
) -> RoadmapItem:
    """A lead moves an item, with its requests, to another quarter's roadmap of the same team.
    The commitment check runs on the target roadmap (both roadmaps locked); the month span
    belonged to the old quarter and is cleared; the move is recorded so "what changed" reports
    it as moved (period). Shipped items stay in the quarter they shipped in, and nothing moves
    into a quarter that has ended."""
    _require_lead(actor, item.roadmap, "move items between quarters")
    if to_roadmap is None:
        raise ValidationFailed("Choose the roadmap to move the item to.", field="to_roadmap")
    # Lock in id order so two moves in opposite directions cannot deadlock.
    locked_roadmaps = {
        roadmap.pk: roadmap
        for roadmap in Roadmap.objects.select_for_update()
        .select_related("team")
        .filter(pk__in=[item.roadmap_id, to_roadmap.pk])
        .order_by("pk")
    }
    locked = RoadmapItem.objects.select_for_update().get(pk=item.pk)
    stale = expected_version is not None and locked.version != expected_version
    if stale or locked.roadmap_id != item.roadmap_id:
        raise EditConflict()
    source, target = locked_roadmaps[locked.roadmap_id], locked_roadmaps.get(to_roadmap.pk)
    if target is None or target.pk == source.pk:
        raise ValidationFailed(f"The item is already on {source}.", field="to_roadmap")
    if target.team_id != source.team_id:
        raise ValidationFailed(
            f"Items move between quarters of the same team; {target} is not {source.team}'s.",
            field="to_roadmap",
        )
    if locked.status == RoadmapItem.Status.SHIPPED:
        raise ValidationFailed(
            "A shipped item stays in the quarter it shipped in.", field="to_roadmap"
        )
    if target.period_end < timezone.localdate():
        raise ValidationFailed(
            f"{target.period} has ended; nothing moves into it any more.", field="to_roadmap"
        )
    overcommit = _enforce_commitment(
        roadmap=target,
        planned_after=_planned(target) + locked.estimate_days,
        plannable=_plannable(target),
        actor=actor,
        override_reason=override_reason,
        field="to_roadmap",
        item=locked,
    )
    changes = {"roadmap": [source.period, target.period]}
    if locked.start_month:
        changes["months"] = [f"{locked.start_month:%Y-%m}–{locked.end_month:%Y-%m}", None]
        locked.start_month = locked.end_month = None
    last = RoadmapItem.objects.filter(roadmap=target).order_by("-position").first()
    locked.roadmap = target
    locked.position = (last.position + 1) if last else 0
    locked.version += 1
    locked.save()
    ItemPeriodMove.objects.create(
        item=locked, from_roadmap=source, to_roadmap=target, moved_by=actor
    )
    if overcommit:
        overcommit.save()
    activity_record(actor=actor, target=locked, verb="moved_period", changes=changes)
    item.roadmap, item.version = target, locked.version
    return locked


@transaction.atomic
def roadmap_item_set_requests(
    *, item: RoadmapItem, requests, actor, expected_version: int | None = None
) -> RoadmapItem:
    """A lead changes which requests an item delivers. Added requests must be accepted and on
    no other item; they follow the item's status (planned, or on to in progress). Removed
    requests go back to accepted. An item keeps at least one request, and a shipped item's
    requests are settled. Sending the item's requests unchanged is not a change and needs no
    lead."""
    roadmap = _lock(item.roadmap)
    locked = RoadmapItem.objects.select_for_update().get(pk=item.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict()
    wanted = sorted({getattr(r, "pk", r) for r in requests})
    if not wanted:
        raise ValidationFailed(
            "An item delivers at least one request; take it off the roadmap instead.",
            field="requests",
        )
    current = set(ItemRequest.objects.filter(item=locked).values_list("request_id", flat=True))
    added_ids = [pk for pk in wanted if pk not in current]
    removed_ids = sorted(current - set(wanted))
    if not (added_ids or removed_ids):
        return locked
    _require_lead(actor, roadmap, "change which requests a roadmap item delivers")
    if locked.status == RoadmapItem.Status.SHIPPED:
        raise ValidationFailed("A shipped item's requests are settled.", field="requests")
    added = _lock_plannable_requests(added_ids, roadmap=roadmap) if added_ids else []
    removed = list(Request.objects.select_for_update().filter(pk__in=removed_ids).order_by("pk"))
    ItemRequest.objects.filter(item=locked, request_id__in=removed_ids).delete()
    ItemRequest.objects.bulk_create([ItemRequest(item=locked, request=r) for r in added])
    _walk_requests(removed, to=RequestStatus.ACCEPTED, item=locked, roadmap=roadmap, actor=actor)
    _walk_requests(added, to=locked.status, item=locked, roadmap=roadmap, actor=actor)
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    activity_record(
        actor=actor,
        target=locked,
        verb="updated",
        changes={"requests": [sorted(current), wanted]},
    )
    item.version = locked.version
    return locked


# --- unplanned work and buffer burn ----------------------------------------------------


@transaction.atomic
def unplanned_log(
    *,
    roadmap: Roadmap,
    actor,
    day=None,
    days=None,
    what: str = "",
    requested_by: str = "",
    category: str = UnplannedEntry.Category.OTHER,
) -> UnplannedEntry:
    """Log unplanned work against the buffer, then alert the lead once per burn threshold.
    The work's day (today when not given) lies inside the roadmap's quarter: it is that
    quarter's buffer it uses."""
    locked = _lock(roadmap)
    _require_item_editor(actor, locked)
    amount = _decimal(days, "days")
    if amount <= 0 or amount > Decimal(1000):
        raise ValidationFailed("Person-days must be more than 0 (and under 1000).", field="days")
    if not (what or "").strip():
        raise ValidationFailed("Say what the work was.", field="what")
    if not (requested_by or "").strip():
        raise ValidationFailed("Say who asked for it.", field="requested_by")
    if category not in UnplannedEntry.Category.values:
        raise ValidationFailed(
            "Pick a category: " + ", ".join(UnplannedEntry.Category.labels) + ".",
            field="category",
        )
    if isinstance(day, str) and day:
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            raise ValidationFailed("Enter a date like 2027-01-15.", field="day") from None
    day = day or timezone.localdate()
    if not locked.period_start <= day <= locked.period_end:
        raise ValidationFailed(
            f"Pick a day inside {locked.period} ({locked.period_start:%d %b} – "
            f"{locked.period_end:%d %b %Y}); {day:%d %b %Y} is outside it.",
            field="day",
        )
    entry = UnplannedEntry.objects.create(
        roadmap=locked,
        day=day,
        days=amount,
        what=what.strip()[:300],
        requested_by=requested_by.strip()[:200],
        category=category,
        logged_by=actor,
    )
    activity_record(actor=actor, target=locked, verb="unplanned_logged", summary=entry.what)
    buffer_alert_check(roadmap=locked)
    return entry


@transaction.atomic
def unplanned_delete(*, entry: UnplannedEntry, actor) -> None:
    _require_item_editor(actor, entry.roadmap)
    activity_record(actor=actor, target=entry.roadmap, verb="unplanned_deleted", summary=entry.what)
    entry.delete()


def buffer_alert_check(*, roadmap: Roadmap) -> list[int]:
    """Notify the team lead for each burn threshold reached (rules.burn_thresholds_reached);
    the dedupe key makes each threshold alert at most once per roadmap and lead. The alert
    carries capacity figures, so it goes only to a lead who may plan the roadmap (the team
    scope rule): a "lead" without the lead role is told nothing."""
    figures = selectors.roadmap_figures(selectors.roadmap_get(roadmap.pk))
    reached = rules.burn_thresholds_reached(figures.buffer_burn_percent)
    lead = roadmap.team.lead
    recipients = [lead] if lead and can_plan(actor=lead, roadmap=roadmap) else []
    for threshold in reached:
        notify(
            recipients=recipients,
            kind=Notification.Kind.BUFFER_ALERT,
            title=f"{roadmap}: buffer {threshold} % used",
            body=(
                f"Unplanned work is {figures.unplanned_days} of {figures.buffer_days} buffer "
                f"person-days ({figures.buffer_burn_percent} %)."
            ),
            url=roadmap.get_absolute_url(),
            dedupe_key=f"buffer-burn:{roadmap.pk}:{threshold}",
        )
    return reached


@transaction.atomic
def roadmap_capacity_recheck(
    *, team: Team, today: dt.date | None = None
) -> list[tuple[Roadmap, selectors.Figures]]:
    """Member capacity changed outside a roadmap (the admin edits memberships), where the
    commitment check cannot refuse it: check the burn alerts of the team's current and future
    roadmaps and return those now planned beyond plannable, as (roadmap, figures), for the
    caller to call out. Past quarters are history and are left alone."""
    today = today or timezone.localdate()
    overcommitted = []
    for roadmap in selectors.roadmap_list(team=team.pk).filter(period_end__gte=today):
        buffer_alert_check(roadmap=roadmap)
        figures = selectors.roadmap_figures(roadmap)
        if figures.overcommitted:
            overcommitted.append((roadmap, figures))
    return overcommitted


# --- snapshots, reviews, sharing --------------------------------------------------------


@transaction.atomic
def snapshot_take(*, roadmap: Roadmap, actor, note: str = "", review=None) -> Snapshot:
    """A lead records the roadmap as it stands, to compare against later."""
    _require_lead(actor, roadmap, "take snapshots")
    items = RoadmapItem.objects.filter(roadmap=roadmap).order_by("pk")
    data = snapshots.roadmap_state(items)
    figures = selectors.roadmap_figures(selectors.roadmap_get(roadmap.pk))
    data["figures"] = {
        "capacity_days": str(figures.capacity_days),
        "buffer_percent": str(figures.buffer_percent),
        "plannable_days": str(figures.plannable_days),
        "planned_days": str(figures.planned_days),
        "unplanned_days": str(figures.unplanned_days),
    }
    snapshot = Snapshot.objects.create(
        roadmap=roadmap, taken_by=actor, note=(note or "")[:300], data=data, review=review
    )
    activity_record(actor=actor, target=roadmap, verb="snapshot_taken", summary=snapshot.note)
    return snapshot


@transaction.atomic
def roadmap_complete_review(*, roadmap: Roadmap, actor, notes: str = "", today=None):
    """Complete the roadmap review: take a snapshot, record the notes, move the next due date
    and tell the people watching the roadmap what changed on shared items since the last
    review. Returns (review, snapshot, changes)."""
    _require_lead(actor, roadmap, "complete roadmap reviews")
    team = roadmap.team
    cadence = cadence_ensure(
        kind=Cadence.Kind.ROADMAP,
        target=roadmap,
        title=f"Roadmap review: {team} {roadmap.period}",
        owner=team.lead or actor,
        escalate_to=team.lead or actor,
        url=roadmap.get_absolute_url(),
    )
    previous = (
        Snapshot.objects.filter(roadmap=roadmap, review__isnull=False)
        .order_by("-taken_at", "-id")
        .first()
    )
    review = review_complete(cadence=cadence, actor=actor, notes=notes, today=today)
    snapshot = snapshot_take(
        roadmap=roadmap, actor=actor, note=f"Review of {review.completed_on}", review=review
    )
    changes = selectors.roadmap_changes(roadmap=roadmap, since=previous, until=snapshot)
    lines = selectors.roadmap_stakeholder_lines(roadmap=roadmap, since=previous, until=snapshot)
    if lines:
        from django.urls import reverse

        notify(
            recipients=list(selectors.watcher_users(roadmap=roadmap)),
            kind=Notification.Kind.ROADMAP_CHANGED,
            title=f"{team} roadmap {roadmap.period} was reviewed",
            body="\n".join(lines),
            url=reverse("roadmap:shared"),
            dedupe_key=f"review:{review.pk}",
        )
    return review, snapshot, changes


@transaction.atomic
def share_link_create(*, roadmap: Roadmap, actor, label: str = "", expires_at=None) -> ShareLink:
    """A lead creates a link with a random, unguessable token showing the shared roadmap."""
    _require_lead(actor, roadmap, "create share links")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed("The expiry must be in the future.", field="expires_at")
    link = ShareLink.objects.create(
        roadmap=roadmap,
        token=secrets.token_urlsafe(32),
        label=(label or "")[:120],
        created_by=actor,
        expires_at=expires_at,
    )
    activity_record(actor=actor, target=roadmap, verb="share_link_created", summary=link.label)
    return link


@transaction.atomic
def share_link_revoke(*, link: ShareLink, actor) -> ShareLink:
    """A revoked link answers 404 from then on."""
    _require_lead(actor, link.roadmap, "revoke share links")
    locked = ShareLink.objects.select_for_update().get(pk=link.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        activity_record(
            actor=actor, target=locked.roadmap, verb="share_link_revoked", summary=locked.label
        )
    return locked


@transaction.atomic
def roadmap_watch(*, roadmap: Roadmap, user, watch: bool = True) -> bool:
    """Start or stop watching a roadmap (told what changed after each review)."""
    if not has_role(user, Role.STAKEHOLDER):
        raise NotAllowed("Sign in to watch a roadmap.")
    if watch:
        RoadmapWatcher.objects.get_or_create(roadmap=roadmap, user=user)
    else:
        RoadmapWatcher.objects.filter(roadmap=roadmap, user=user).delete()
    return watch
