"""Reads for the roadmap. Every select_related / prefetch_related of the app lives here."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from intake.models import Request, RequestStatus
from prodops.accounts.models import TeamMembership

from . import rules, snapshots
from .models import (
    ItemPeriodMove,
    ItemRequest,
    Overcommit,
    Roadmap,
    RoadmapItem,
    RoadmapWatcher,
    ShareLink,
    Snapshot,
    UnplannedEntry,
)

_DAYS = DecimalField(max_digits=9, decimal_places=1)


@dataclass(frozen=True)
class Figures:
    """What the roadmap header always shows."""

    capacity_days: Decimal
    buffer_percent: Decimal
    buffer_days: Decimal
    plannable_days: Decimal
    planned_days: Decimal
    free_days: Decimal
    unplanned_days: Decimal
    buffer_burn_percent: Decimal

    @property
    def overcommitted(self) -> bool:
        return self.planned_days > self.plannable_days

    @property
    def over_days(self) -> Decimal:
        return max(self.planned_days - self.plannable_days, Decimal(0))

    @property
    def burn_level(self) -> str:
        reached = rules.burn_thresholds_reached(self.buffer_burn_percent)
        return {0: "ok", 1: "warn"}.get(len(reached), "danger")

    @property
    def burn_meter(self) -> int:
        return int(min(self.buffer_burn_percent, Decimal(100)))

    @property
    def planned_meter(self) -> int:
        if self.plannable_days <= 0:
            return 100 if self.planned_days > 0 else 0
        return int(min(self.planned_days * 100 / self.plannable_days, Decimal(100)))


def _sum_subquery(model, field: str):
    return Coalesce(
        Subquery(
            model.objects.filter(roadmap=OuterRef("pk"))
            .order_by()
            .values("roadmap")
            .annotate(total=Sum(field))
            .values("total"),
            output_field=_DAYS,
        ),
        Value(Decimal(0)),
        output_field=_DAYS,
    )


def roadmap_queryset() -> QuerySet[Roadmap]:
    """Roadmaps with what their figures need: sums in SQL, memberships and overrides prefetched."""
    return (
        Roadmap.objects.select_related("team", "team__lead")
        .annotate(
            planned_total=_sum_subquery(RoadmapItem, "estimate_days"),
            unplanned_total=_sum_subquery(UnplannedEntry, "days"),
        )
        .prefetch_related(
            Prefetch(
                "team__memberships",
                queryset=TeamMembership.objects.select_related("user").order_by("user__username"),
            ),
            "capacity_overrides",
        )
    )


def roadmap_list(
    *, team: int | None = None, period: str | None = None, team_ids=None
) -> QuerySet[Roadmap]:
    qs = roadmap_queryset()
    if team:
        qs = qs.filter(team_id=team)
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    if period:
        qs = qs.filter(period=period.upper())
    return qs.order_by("-period_start", "team__name")


def roadmap_get(pk: int) -> Roadmap:
    return roadmap_queryset().get(pk=pk)


def capacity_rows(roadmap: Roadmap) -> list[dict]:
    """Per member: default quarter capacity (capacity × allocation), override, effective."""
    overrides = {o.user_id: o.capacity_days for o in roadmap.capacity_overrides.all()}
    rows = []
    for membership in roadmap.team.memberships.all():
        default = membership.quarter_capacity_days
        override = overrides.get(membership.user_id)
        rows.append(
            {
                "user": membership.user,
                "default_days": default,
                "override_days": override,
                "effective_days": override if override is not None else default,
            }
        )
    return rows


def roadmap_capacity_days(roadmap: Roadmap) -> Decimal:
    """Capacity = sum over members of capacity × allocation, or the per-roadmap override."""
    return sum((row["effective_days"] for row in capacity_rows(roadmap)), Decimal(0))


def roadmap_figures(roadmap: Roadmap, *, capacity_days: Decimal | None = None) -> Figures:
    """The header figures; `capacity_days` replaces the members' capacity (for a preview of a
    change not yet saved)."""
    capacity = roadmap_capacity_days(roadmap) if capacity_days is None else capacity_days
    buffer_percent = Decimal(roadmap.buffer_percent)
    plannable = rules.plannable_days(capacity_days=capacity, buffer_percent=buffer_percent)
    buffer_days = capacity - plannable
    planned = getattr(roadmap, "planned_total", None)
    if planned is None:
        planned = RoadmapItem.objects.filter(roadmap=roadmap).aggregate(
            t=Coalesce(Sum("estimate_days"), Value(Decimal(0)), output_field=_DAYS)
        )["t"]
    unplanned = getattr(roadmap, "unplanned_total", None)
    if unplanned is None:
        unplanned = UnplannedEntry.objects.filter(roadmap=roadmap).aggregate(
            t=Coalesce(Sum("days"), Value(Decimal(0)), output_field=_DAYS)
        )["t"]
    d = rules.round_days
    return Figures(
        capacity_days=d(capacity),
        buffer_percent=buffer_percent,
        buffer_days=d(buffer_days),
        plannable_days=plannable,
        planned_days=d(planned),
        free_days=d(plannable - Decimal(planned)),
        unplanned_days=d(unplanned),
        buffer_burn_percent=rules.buffer_burn_percent(
            unplanned_days=unplanned, buffer_days=buffer_days
        ),
    )


def item_list(
    *, roadmap: Roadmap, objective: int | None = None, department: int | None = None
) -> QuerySet[RoadmapItem]:
    """A roadmap's items for the internal views, with requests, objective, owner, over-commits."""
    qs = (
        RoadmapItem.objects.filter(roadmap=roadmap)
        .select_related("objective", "owner")
        .prefetch_related(
            Prefetch(
                "requests",
                queryset=Request.objects.select_related("department").order_by("id"),
            ),
            Prefetch("overcommits", queryset=Overcommit.objects.select_related("actor")),
        )
    )
    if objective:
        qs = qs.filter(objective_id=objective)
    if department:
        qs = qs.filter(requests__department_id=department).distinct()
    return qs.order_by("position", "id")


def item_list_api(*, roadmap: Roadmap) -> QuerySet[RoadmapItem]:
    """A roadmap's items as the API shows them (serializers.RoadmapItemSerializer): objective
    and owner as ids, requests as ids, over-commits only as whether there are any. Same rows
    and order as item_list, without building whole request and over-commit rows."""
    return (
        RoadmapItem.objects.filter(roadmap=roadmap)
        .prefetch_related(
            Prefetch("requests", queryset=Request.objects.only("id").order_by("id")),
            Prefetch("overcommits", queryset=Overcommit.objects.only("id", "item_id")),
        )
        .order_by("position", "id")
    )


# What a board card shows (roadmap/board.py); the rest of an item's row is not loaded.
BOARD_CARD_FIELDS = (
    "roadmap_id",
    "title",
    "lane",
    "status",
    "visibility",
    "estimate_days",
    "start_month",
    "end_month",
    "position",
    "version",
    "objective__title",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


def board_item_list(
    *, roadmap: Roadmap, objective: int | None = None, department: int | None = None
) -> list[RoadmapItem]:
    """A roadmap's items for the board: objective and owner, each with `request_ids` (its
    requests' numbers, ascending) and `overcommit_reasons` (its recorded over-commits'
    reasons, newest first). Three queries whatever the count: the board shows only numbers
    and reasons, so whole request and over-commit rows (item_list) are not built."""
    qs = (
        RoadmapItem.objects.filter(roadmap=roadmap)
        .select_related("objective", "owner")
        .only(*BOARD_CARD_FIELDS)
    )
    if objective:
        qs = qs.filter(objective_id=objective)
    if department:
        qs = qs.filter(requests__department_id=department).distinct()
    items = list(qs.order_by("position", "id"))
    request_ids: dict[int, list[int]] = {}
    for item_id, request_id in (
        ItemRequest.objects.filter(item__roadmap=roadmap)
        .order_by("request_id")
        .values_list("item_id", "request_id")
    ):
        request_ids.setdefault(item_id, []).append(request_id)
    reasons: dict[int, list[str]] = {}
    for item_id, reason in (
        Overcommit.objects.filter(item__roadmap=roadmap)
        .order_by(*Overcommit._meta.ordering)
        .values_list("item_id", "reason")
    ):
        reasons.setdefault(item_id, []).append(reason)
    for item in items:
        item.request_ids = request_ids.get(item.pk, [])
        item.overcommit_reason_list = reasons.get(item.pk, [])
    return items


def item_get(*, roadmap_id: int, pk: int) -> RoadmapItem:
    return (
        RoadmapItem.objects.select_related("roadmap", "roadmap__team", "objective", "owner")
        .prefetch_related("requests")
        .get(roadmap_id=roadmap_id, pk=pk)
    )


def shared_items(*, roadmap: Roadmap | None = None, roadmap_ids=None) -> QuerySet[RoadmapItem]:
    """Only items a stakeholder may see; the caller shows only their stakeholder-facing text."""
    qs = RoadmapItem.objects.filter(visibility=RoadmapItem.Visibility.SHARED).select_related(
        "objective"
    )
    if roadmap is not None:
        qs = qs.filter(roadmap=roadmap)
    if roadmap_ids is not None:
        qs = qs.filter(roadmap_id__in=roadmap_ids)
    return qs.order_by("position", "id")


def stakeholder_roadmaps(*, team: int | None = None, user=None) -> QuerySet[Roadmap]:
    """Roadmaps that have something to share, newest quarter first, each with its shared items
    and whether `user` watches it."""
    qs = Roadmap.objects.select_related("team").prefetch_related(
        Prefetch("items", queryset=shared_items(), to_attr="shared")
    )
    if team:
        qs = qs.filter(team_id=team)
    if user is not None and user.is_authenticated:
        from django.db.models import Exists

        qs = qs.annotate(
            is_watched=Exists(RoadmapWatcher.objects.filter(roadmap=OuterRef("pk"), user=user))
        )
    return qs.order_by("-period_start", "team__name")


def overcommit_list(*, roadmap: Roadmap) -> QuerySet[Overcommit]:
    return Overcommit.objects.filter(roadmap=roadmap).select_related("actor", "item")


def unplanned_list(*, roadmap: Roadmap) -> QuerySet[UnplannedEntry]:
    return UnplannedEntry.objects.filter(roadmap=roadmap).select_related("logged_by")


def snapshot_list(*, roadmap: Roadmap) -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(roadmap=roadmap).select_related("taken_by", "review")


def period_moves(*, roadmap: Roadmap, since=None, until=None) -> dict[str, dict]:
    """Items that moved into or out of `roadmap` after `since` (and up to `until`), by item
    id: the quarter each was in before its first move and the one its last move took it to."""
    window = Q()
    if since is not None:
        window &= Q(moved_at__gt=since)
    if until is not None:
        window &= Q(moved_at__lte=until)
    touching = ItemPeriodMove.objects.filter(window).filter(
        Q(from_roadmap=roadmap) | Q(to_roadmap=roadmap)
    )
    moves = (
        ItemPeriodMove.objects.filter(window, item_id__in=touching.values("item_id"))
        .select_related("from_roadmap", "to_roadmap")
        .order_by("moved_at", "id")
    )
    result: dict[str, dict] = {}
    for move in moves:
        entry = result.setdefault(str(move.item_id), {"from": move.from_roadmap.period})
        entry["to"] = move.to_roadmap.period
    return result


def _comparison(
    *, roadmap: Roadmap, since: Snapshot | None, until: Snapshot | None
) -> tuple[dict, dict, dict]:
    before = since.data if since is not None else {"items": {}}
    if until is not None:
        after = until.data
    else:
        after = snapshots.roadmap_state(RoadmapItem.objects.filter(roadmap=roadmap).order_by("pk"))
    moves = (
        period_moves(roadmap=roadmap, since=since.taken_at, until=until and until.taken_at)
        if since is not None
        else {}
    )
    return before, after, moves


def roadmap_changes(
    *, roadmap: Roadmap, since: Snapshot | None, until: Snapshot | None = None
) -> list[dict]:
    """What changed on `roadmap` from snapshot `since` (None: from nothing) to snapshot
    `until` (None: the roadmap as it is now), with items moved between quarters reported as
    moved (period)."""
    before, after, moves = _comparison(roadmap=roadmap, since=since, until=until)
    return snapshots.diff(before, after, period_moves=moves)


def roadmap_stakeholder_lines(
    *, roadmap: Roadmap, since: Snapshot | None, until: Snapshot | None = None
) -> list[str]:
    """The same comparison as roadmap_changes, told the way a stakeholder may hear it."""
    before, after, moves = _comparison(roadmap=roadmap, since=since, until=until)
    return snapshots.stakeholder_lines(before, after, period_moves=moves)


def share_link_list(*, roadmap: Roadmap) -> QuerySet[ShareLink]:
    return ShareLink.objects.filter(roadmap=roadmap).select_related("created_by")


def share_link_active(token: str) -> ShareLink | None:
    """The link for `token` if it is neither revoked nor expired, else None."""
    now = timezone.now()
    return (
        ShareLink.objects.select_related("roadmap", "roadmap__team")
        .filter(token=token, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )


def plannable_requests(*, roadmap: Roadmap) -> QuerySet[Request]:
    """Accepted requests of the roadmap's team not yet on any roadmap item (an item plans only
    requests of its roadmap's team: roadmap.services.plan_team_refusal)."""
    taken = ItemRequest.objects.values("request_id")
    return (
        Request.objects.filter(status=RequestStatus.ACCEPTED, team_id=roadmap.team_id)
        .exclude(pk__in=taken)
        .select_related("department", "objective", "team", "score_record")
        .order_by(F("score").desc(nulls_last=True), "title", "pk")
    )


def item_request_choices(*, item: RoadmapItem) -> QuerySet[Request]:
    """The requests an item may deliver: its own, and accepted requests of its roadmap's team
    on no item yet."""
    taken = ItemRequest.objects.exclude(item=item).values("request_id")
    return (
        Request.objects.filter(
            Q(roadmap_link__item=item)
            | Q(status=RequestStatus.ACCEPTED, team_id=item.roadmap.team_id)
        )
        .exclude(pk__in=taken)
        .select_related("department", "team")
        .order_by("title", "pk")
    )


def other_quarters(*, roadmap: Roadmap) -> QuerySet[Roadmap]:
    """The team's other roadmaps of quarters not yet over, in order: where an item could
    move to."""
    return (
        Roadmap.objects.filter(team_id=roadmap.team_id, period_end__gte=timezone.localdate())
        .exclude(pk=roadmap.pk)
        .order_by("period_start")
    )


def watcher_users(*, roadmap: Roadmap):
    from prodops.accounts.models import User

    return User.objects.filter(pk__in=RoadmapWatcher.objects.filter(roadmap=roadmap).values("user"))


def is_team_member(*, user, roadmap: Roadmap) -> bool:
    return TeamMembership.objects.filter(team_id=roadmap.team_id, user_id=user.pk).exists()


def default_estimate_days(request_ids) -> Decimal | None:
    """An item's default estimate: for each grouped request the mean effort its assessors
    gave, summed over the requests; None when nobody assessed any of them."""
    from django.db.models import Avg

    from intake.models import Assessment

    means = (
        Assessment.objects.filter(request_id__in=list(request_ids))
        .values("request_id")
        .annotate(mean=Avg("effort_days"))
        .values_list("mean", flat=True)
    )
    means = list(means)
    if not means:
        return None
    return rules.round_days(sum((Decimal(m) for m in means), Decimal(0)))


@dataclass(frozen=True)
class CapacityPreview:
    """What a change to one person's capacity on a team does to one of its roadmaps."""

    roadmap: Roadmap
    before: Figures
    after: Figures
    overridden: bool  # the roadmap overrides this person's capacity, so it does not change

    @property
    def becomes_overcommitted(self) -> bool:
        return self.after.overcommitted and not self.before.overcommitted


def capacity_change_preview(
    *, team_id: int, user_id: int, quarter_days: Decimal | None, today=None
) -> list[CapacityPreview]:
    """For each current and future roadmap of the team: the figures now and after the person's
    quarter capacity becomes `quarter_days` (None: they leave the team; a person not yet on
    the team joins). A roadmap that overrides the person's capacity keeps the override.
    Past quarters are history and are not shown."""
    today = today or timezone.localdate()
    previews = []
    roadmaps = roadmap_list(team=team_id).filter(period_end__gte=today).order_by("period_start")
    for roadmap in roadmaps:
        rows = capacity_rows(roadmap)
        overrides = {o.user_id: o.capacity_days for o in roadmap.capacity_overrides.all()}
        overridden = user_id in overrides and quarter_days is not None
        after = sum(
            (row["effective_days"] for row in rows if row["user"].pk != user_id), Decimal(0)
        )
        if quarter_days is not None:
            after += overrides.get(user_id, quarter_days)
        previews.append(
            CapacityPreview(
                roadmap=roadmap,
                before=roadmap_figures(roadmap),
                after=roadmap_figures(roadmap, capacity_days=after),
                overridden=overridden,
            )
        )
    return previews


def unplanned_by_day(*, roadmap: Roadmap) -> list[tuple]:
    """Unplanned person-days logged on the roadmap per day, oldest first (for buffer burn)."""
    return list(
        UnplannedEntry.objects.filter(roadmap=roadmap)
        .order_by()
        .values("day")
        .annotate(total=Sum("days"))
        .order_by("day")
        .values_list("day", "total")
    )


def plan_target_roadmaps(*, user, request: Request | None = None, today=None) -> list[Roadmap]:
    """Roadmaps an accepted request can be planned onto by `user`: current and future quarters
    of the teams the person may plan for (team scope), soonest first. Where requests carry a
    team, only that team's; otherwise the person's own teams come first."""
    from prodops.accounts.models import Team
    from prodops.accounts.roles import Role
    from prodops.accounts.scope import teams_for

    today = today or timezone.localdate()
    qs = Roadmap.objects.filter(
        period_end__gte=today, team__in=teams_for(user, minimum=Role.LEAD)
    ).select_related("team")
    team_id = getattr(request, "team_id", None) if request is not None else None
    if team_id:
        qs = qs.filter(team_id=team_id)
    roadmaps = list(qs.order_by("period_start", "team__name"))
    mine = set(
        Team.objects.filter(Q(memberships__user=user) | Q(lead=user)).values_list("pk", flat=True)
    )
    return sorted(roadmaps, key=lambda r: (r.team_id not in mine, r.period_start, r.team.name))


def plan_picks(*, roadmap: Roadmap, request_ids) -> list[Request]:
    """Accepted requests of the roadmap's team picked for a new item, each with its
    assessment summary (mean effort is what the item's default estimate adds up)."""
    return list(plannable_requests(roadmap=roadmap).filter(pk__in=list(request_ids)))
